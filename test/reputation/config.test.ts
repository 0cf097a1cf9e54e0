import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BlocklistConfigError,
  loadBlocklistConfig,
  parseBlocklistConfig,
} from "../../src/reputation/config.js";

const good = {
  id: "example-bl",
  zone: "BL.Example.NET.",
  targets: ["ipv4", "ipv6"],
  codes: { "127.0.0.2": "a spam source", "127.0.0.3-127.0.0.5": "a bot" },
  errorCodes: { "127.255.255.254": "query refused" },
  delisting: "https://bl.example.net/remove",
  queriesPerSecond: 5,
};

function parse(value: unknown): ReturnType<typeof parseBlocklistConfig> {
  return parseBlocklistConfig(JSON.stringify(value), "lists.json");
}

function problem(value: unknown): string {
  try {
    parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(BlocklistConfigError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("blocklist config", () => {
  it("reads lists, enable and disable", () => {
    const config = parse({ enable: ["dnswl"], disable: ["uceprotect-l1"], lists: [good] });
    expect(config.enable).toEqual(["dnswl"]);
    expect(config.disable).toEqual(["uceprotect-l1"]);
    const [entry] = config.lists;
    expect(entry?.zone).toBe("bl.example.net");
    expect(entry?.defaultEnabled).toBe(true);
    expect(entry?.queriesPerSecond).toBe(5);
    expect(entry?.testEntries).toEqual({ listed: "127.0.0.2", notListed: "127.0.0.1" });
    expect(entry?.codes.map((c) => [c.code, c.effect])).toEqual([
      ["127.255.255.254", "refused"],
      ["127.0.0.2", "listed"],
      ["127.0.0.3-127.0.0.5", "listed"],
    ]);
  });

  it("gives domain lists the TEST entries", () => {
    const entry = parse({ lists: [{ ...good, targets: ["domain"] }] }).lists[0];
    expect(entry?.testEntries).toEqual({ listed: "test", notListed: "invalid" });
  });

  it("marks a retired zone as defunct", () => {
    const entry = parse({ lists: [{ ...good, zone: "dnsbl.sorbs.net" }] }).lists[0];
    expect(entry?.status).toBe("defunct");
    expect(entry?.statusNote).toContain("SORBS");
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseBlocklistConfig("{lists: []}", "lists.json")).toThrow(
      /lists.json: not valid JSON/,
    );
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ["an array at the top", [], /the file: must be a JSON object/],
    ["an unknown top field", { list: [] }, /unknown field "list"/],
    [
      "an unknown list id",
      { disable: ["no-such-list"] },
      /disable: unknown list id "no-such-list"/,
    ],
    ["lists not an array", { lists: {} }, /lists: must be an array/],
    ["a bad id", { lists: [{ ...good, id: "Bad Id" }] }, /lists\[0\]\.id/],
    [
      "a taken id",
      { lists: [{ ...good, id: "spamhaus-zen" }] },
      /\("spamhaus-zen"\)\.id: this id is taken/,
    ],
    ["a repeated id", { lists: [good, good] }, /lists\[1\] \("example-bl"\)\.id/],
    [
      "a bad zone",
      { lists: [{ ...good, zone: "bl..example" }] },
      /\("example-bl"\)\.zone: "bl\.\.example" is no DNS zone/,
    ],
    ["an IP as zone", { lists: [{ ...good, zone: "192.0.2.1" }] }, /\.zone:/],
    ["no targets", { lists: [{ ...good, targets: [] }] }, /\.targets: give a non-empty array/],
    ["a bad target kind", { lists: [{ ...good, targets: ["ip"] }] }, /\.targets/],
    ["no codes", { lists: [{ ...good, codes: {} }] }, /\.codes: give at least one listing code/],
    [
      "a code outside 127/8",
      { lists: [{ ...good, codes: { "10.0.0.2": "x" } }] },
      /\.codes\["10\.0\.0\.2"\]/,
    ],
    [
      "a reversed range",
      { lists: [{ ...good, codes: { "127.0.0.5-127.0.0.2": "x" } }] },
      /127\.0\.0\.5-127\.0\.0\.2/,
    ],
    [
      "an empty meaning",
      { lists: [{ ...good, codes: { "127.0.0.2": "" } }] },
      /give the code's meaning/,
    ],
    [
      "a bitmask range",
      { lists: [{ ...good, bitmask: true, codes: { "127.0.0.3": "x" } }] },
      /bitmask list's codes/,
    ],
    [
      "a bad test entry",
      { lists: [{ ...good, testEntries: { listed: "x", notListed: "127.0.0.1" } }] },
      /testEntries\.listed/,
    ],
    [
      "a bad delisting URL",
      { lists: [{ ...good, delisting: "check.example.net" }] },
      /\.delisting: give the removal page/,
    ],
    ["a zero rate", { lists: [{ ...good, queriesPerSecond: 0 }] }, /queriesPerSecond/],
    [
      "an unknown list field",
      { lists: [{ ...good, zones: "x" }] },
      /\("example-bl"\): unknown field "zones"/,
    ],
    ["a bad type", { lists: [{ ...good, type: "score" }] }, /\.type: give block, allow or mixed/],
  ];
  for (const [name, value, pattern] of cases) {
    it(`rejects ${name}`, () => {
      const message = problem(value);
      expect(message).toMatch(/^invalid blocklist config lists\.json: /);
      expect(message).toMatch(pattern);
    });
  }

  it("loads a file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "delist-lists-")), "lists.json");
    writeFileSync(path, JSON.stringify({ lists: [good] }));
    const config = await loadBlocklistConfig(path);
    expect(config.lists.map((entry) => entry.id)).toEqual(["example-bl"]);
  });
});
