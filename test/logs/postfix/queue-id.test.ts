import { describe, expect, it } from "vitest";
import { queueIdLength } from "../../../src/logs/postfix/queue-id.js";

describe("queueIdLength", () => {
  it.each([
    ["4B7E21C0A3: to=<a@example.com>", 10],
    ["0F5383D: message-id=<x@example.com>", 7],
    ["ED06590130AA1C9D6D862: skipped, still being delivered", 21],
    ["AAB4D259B1: removed", 10],
    ["4TqKm36Ybfz9LRq: to=<a@example.com>", 15],
    ["4ZW9H930zTz5nrs: client=unknown[198.51.100.87]", 15],
    ["3mPVKl3YVXz2pS5Z: removed", 16],
  ])("finds the id in %s", (text, length) => {
    expect(queueIdLength(text)).toBe(length);
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
    expect(queueIdLength(text)).toBe(0);
  });
});
