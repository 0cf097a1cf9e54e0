import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { joinTxt } from "../../src/dns/types.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";
import { runCommand } from "../helpers/cli.js";
import { answerOf } from "./answer.js";
import { forbidRealNetwork } from "./guard.js";

forbidRealNetwork();

const directory = mkdtempSync(join(tmpdir(), "delist-zone-pseudo-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const EXPORT = [
  "$ORIGIN example.com.",
  "$TTL 1h",
  "@ IN SOA ns1 hostmaster 1 3600 900 604800 300",
  "@ IN ALIAS web.example.net.",
  "@ IN MX 10 mail.example.com.",
  '@ IN TXT "v=spf1 ip4:192.0.2.10 -all"',
  "www 300 IN aname web.example.net.",
  "mail 1H30M IN A 192.0.2.10",
  '_dmarc 1w2d IN TXT "v=DMARC1; p=none"',
  "",
].join("\n");

function parseError(text: string): Error {
  try {
    parseZoneFile(text, "bad.zone");
  } catch (error) {
    return error as Error;
  }
  throw new Error("parseZoneFile accepted the text");
}

describe("zone pseudo-records", () => {
  it("skips ALIAS and ANAME with a note per line", () => {
    const notes: string[] = [];
    const zone = parseZoneFile(EXPORT, "export.zone", new Map(), notes);
    const types = [...zone.values()]
      .flat()
      .map((record) => (record.type === "OTHER" ? record.rrtype : record.type));

    expect(types.sort()).toEqual(["A", "MX", "SOA", "TXT", "TXT"]);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^export\.zone, line 4: skipped the ALIAS record/);
    expect(notes[1]).toMatch(/^export\.zone, line 7: skipped the ANAME record/);
  });

  it("keeps the records beside them", async () => {
    const resolver = zoneResolver(parseZoneFile(EXPORT, "export.zone"));
    const txt = await resolver.resolve("example.com", "TXT");
    const mx = await resolver.resolve("example.com", "MX");
    const apexA = await resolver.resolve("example.com", "A");

    expect(answerOf(txt).records.map(joinTxt)).toEqual(["v=spf1 ip4:192.0.2.10 -all"]);
    expect(answerOf(mx).records).toEqual([{ priority: 10, exchange: "mail.example.com" }]);
    expect(apexA).toMatchObject({ ok: false, kind: "nodata" });
  });

  it("still rejects a misspelt ALIAS", () => {
    const error = parseError("$ORIGIN example.com.\n@ IN ALIASS web.example.net.\n");
    expect(error.message).toMatch(/^bad\.zone, line 2: unknown record type "ALIASS"/);
  });
});

describe("zone TTL units", () => {
  it.each([
    ["3600", 3600],
    ["1h", 3600],
    ["1H30M", 5400],
    ["1w2d", 777600],
    ["2d12h30m15s", 217815],
    ["0", 0],
  ])("reads %s as %i seconds", async (ttl, seconds) => {
    const zone = parseZoneFile(`$ORIGIN example.com.\nmail ${ttl} IN A 192.0.2.1\n`, "ttl.zone");
    const answer = await zoneResolver(zone).resolve("mail.example.com", "A");
    expect(answerOf(answer).ttlSeconds).toBe(seconds);
  });

  it("reads combined units in $TTL", async () => {
    const zone = parseZoneFile("$ORIGIN example.com.\n$TTL 1h30m\nmail A 192.0.2.1\n", "t.zone");
    const answer = await zoneResolver(zone).resolve("mail.example.com", "A");
    expect(answerOf(answer).ttlSeconds).toBe(5400);
  });

  it.each(["1x", "1h30x", "h1", "1.5h"])("rejects TTL %s", (ttl) => {
    const error = parseError(`$ORIGIN example.com.\n$TTL ${ttl}\n`);
    expect(error.message).toMatch(/^bad\.zone, line 2: invalid TTL/);
  });
});

describe("check --zone with pseudo-records", () => {
  it("reads the export and notes the line", async () => {
    const path = join(directory, "export.zone");
    writeFileSync(path, EXPORT);

    const result = await runCommand(["check", "example.com", "--zone", path]);

    expect(result.code).not.toBe(2);
    expect(result.stdout).toContain("v=spf1 ip4:192.0.2.10 -all");
    expect(result.stderr).toContain(`delist: note: ${path}, line 4: skipped the ALIAS record`);
    expect(result.stderr).toContain(`delist: note: ${path}, line 7: skipped the ANAME record`);
  });
});
