import { describe, expect, it } from "vitest";
import { QueueIdReader } from "../../../src/logs/postfix/queue-id.js";

describe("QueueIdReader.read", () => {
  it.each([
    ["4B7E21C0A3: to=<a@example.com>", 10],
    ["0F5383D: message-id=<x@example.com>", 7],
    ["ED06590130AA1C9D6D862: skipped, still being delivered", 21],
    ["AAB4D259B1: removed", 10],
    ["4TqKm36Ybfz9LRq: to=<a@example.com>", 15],
    ["4ZW9H930zTz5nrs: client=unknown[198.51.100.87]", 15],
    ["3mPVKl3YVXz2pS5Z: removed", 16],
  ])("finds the id in %s", (text, length) => {
    expect(new QueueIdReader().read(text)).toBe(length);
  });

  it.each([
    "NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 550 5.1.1",
    "statistics: max cache size 1 at Oct 26 18:13:50",
    "warning: hostname h1.example.org does not resolve",
    "authorization: something",
    "ABCDE: too short",
    "4B7E21C0A3:no space",
    "4B7E21C0A3",
    "connect from unknown[203.0.113.9]",
    "Deleted: 115 messages",
    "",
  ])("finds no id in %s", (text) => {
    expect(new QueueIdReader().read(text)).toBe(0);
  });
});

describe("QueueIdReader", () => {
  it("keys a short id by number", () => {
    const reader = new QueueIdReader();
    expect(reader.read("4B7E21C0A3: removed")).toBe(10);
    expect(reader.key).toBe(0x14b7e21c0a3);
  });

  it("separates ids by leading zeros", () => {
    const reader = new QueueIdReader();
    reader.read("0ABCDEF: removed");
    const padded = reader.key;
    reader.read("ABCDEF: removed");
    expect(padded).not.toBe(reader.key);
  });

  it("keys a 13-digit id exactly", () => {
    const reader = new QueueIdReader();
    reader.read("FFFFFFFFFFFFF: removed");
    const highest = reader.key;
    reader.read("FFFFFFFFFFFFE: removed");
    expect(highest).toBe(2 ** 53 - 1);
    expect(reader.key).toBe(2 ** 53 - 2);
  });

  it.each(["FFFFFFFFFFFFD", "EDCBA98765432", "0000000000001", "9F9F9F9F9F9F9", "ABCDEF"])(
    "keys %s as 1 and its hex digits",
    (id) => {
      const reader = new QueueIdReader();
      reader.read(`${id}: removed`);
      expect(reader.key).toBe(Number(BigInt(`0x1${id}`)));
    },
  );

  it.each([
    ["ED06590130AA1C9D6D862: skipped, still being delivered", "ED06590130AA1C9D6D862"],
    ["4TqKm36Ybfz9LRq: to=<a@example.com>", "4TqKm36Ybfz9LRq"],
    ["3mPVKl3YVXz2pS5Z: removed", "3mPVKl3YVXz2pS5Z"],
  ])("keys %s by its id", (text, id) => {
    const reader = new QueueIdReader();
    reader.read(text);
    expect(reader.key).toBe(id);
  });
});
