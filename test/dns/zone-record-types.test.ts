import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseZoneFile } from "../../src/dns/zone-file.js";
import { runCommand } from "../helpers/cli.js";
import { forbidRealNetwork } from "./guard.js";

forbidRealNetwork();

const SPF_RECORD = '@ IN TXT "v=spf1 ip4:192.0.2.10 -all"';

function zoneText(...records: string[]): string {
  return ["$ORIGIN example.com.", SPF_RECORD, ...records, ""].join("\n");
}

function parseError(text: string): Error {
  try {
    parseZoneFile(text, "typo.zone");
  } catch (error) {
    return error as Error;
  }
  throw new Error("parseZoneFile accepted the text");
}

describe("zone record types", () => {
  it("rejects a misspelt type", () => {
    const error = parseError(zoneText('_dmarc IN TXXT "v=DMARC1; p=none"'));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toMatch(/^typo\.zone, line 3: unknown record type "TXXT"/);
    expect(error.message).toContain("check the spelling or use the TYPE<number> form");
  });

  it("rejects a line of plain words", () => {
    const error = parseError(zoneText("this is garbage"));
    expect(error.message).toMatch(/^typo\.zone, line 3: unknown record type "IS"/);
  });

  it("rejects a misspelt type without class", () => {
    const error = parseError(zoneText("mail 300 AA 192.0.2.25"));
    expect(error.message).toMatch(/^typo\.zone, line 3: unknown record type "AA"/);
  });

  it.each([
    ['@ IN CAA 0 issue "ca.example.net"', "CAA"],
    ["_sip._tcp IN SRV 10 5 5060 sip.example.com.", "SRV"],
    ["_25._tcp.mail IN TLSA 3 1 1 0123456789abcdef", "TLSA"],
    ["@ IN SOA ns1 hostmaster 1 3600 900 604800 300", "SOA"],
    ["@ IN HTTPS 1 . alpn=h2", "HTTPS"],
    ["@ IN svcb 1 . alpn=h2", "SVCB"],
    ["@ IN TYPE65534 \\# 1 00", "TYPE65534"],
  ])("keeps %s as text", (record, rrtype) => {
    const zone = parseZoneFile(zoneText(record), "ok.zone");
    const records = [...zone.values()].flat();
    const other = records.find((entry) => entry.type === "OTHER");
    expect(other).toMatchObject({ type: "OTHER", rrtype });
  });

  it("check exits 2 on a misspelt type", async () => {
    const directory = mkdtempSync(join(tmpdir(), "delist-zone-types-"));
    const path = join(directory, "typo.zone");
    writeFileSync(path, zoneText('_dmarc IN TXXT "v=DMARC1; p=none"'));

    const result = await runCommand(["check", "example.com", "--zone", path]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${path}, line 3: unknown record type "TXXT"`);
  });
});
