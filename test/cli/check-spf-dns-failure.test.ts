import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();
let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface SpfJson {
  verdict: string;
  result: Record<string, string>;
  correctedRecord: string | null;
  problems: { code: string; severity: string; message: string }[];
}

interface CheckJson {
  domains: { spf: SpfJson; dmarc: { verdict: string; policy: string | null } }[];
}

const txt = (name: string, data: string): dnsPacket.Answer => ({ type: "TXT", name, data });

/**
 * Starts a DNS server on 127.0.0.1 for example.com whose SPF record names two includes: the
 * server drops the query for the first and answers SERVFAIL for the second.
 */
async function failingIncludesServer(): Promise<TestDnsServer> {
  return startDnsServer((question) => {
    const name = question.name.toLowerCase();
    if (name === "example.com" && question.type === "TXT") {
      const data = "v=spf1 include:_spf.provider.example include:_spf2.provider.example -all";
      return { answers: [txt(name, data)] };
    }
    if (name === "_dmarc.example.com" && question.type === "TXT")
      return { answers: [txt(name, "v=DMARC1; p=none")] };
    if (name === "_spf.provider.example") return { drop: true };
    if (name === "_spf2.provider.example") return { rcode: "SERVFAIL" };
    return { rcode: "NXDOMAIN" };
  });
}

const ZONE = `$ORIGIN example.com.
$TTL 1h
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mail
@       IN TXT "v=spf1 ip4:192.0.2.1 include:_spf.example.net -all"
mail    IN A   192.0.2.1
_dmarc  IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
`;

describe("SPF includes that DNS cannot check", () => {
  test("check prints no corrected record", async () => {
    server = await failingIncludesServer();
    const args = ["check", "example.com", "--resolver", server.address, "--timeout-ms", "300"];
    const text = await runCommand(args);
    const json = await runCommand([...args, "--format", "json"]);
    const spf = (JSON.parse(json.stdout) as CheckJson).domains[0]?.spf;
    expect(text.stdout).not.toContain("Corrected record");
    expect(text.stdout).toMatch(/SPF +not checked/);
    expect(spf?.correctedRecord).toBeNull();
    expect(spf?.verdict).toBe("not-checked");
    expect(spf?.problems.map((p) => p.severity)).toEqual(["warning", "warning"]);
  });

  test("check --zone keeps an include outside the files", async () => {
    const zone = temporary.file(ZONE, "example.com.zone");
    const result = await runCommand(["check", "example.com", "--zone", zone, "--format", "json"]);
    const domain = (JSON.parse(result.stdout) as CheckJson).domains[0];
    const messages = domain?.spf.problems.map((p) => p.message) ?? [];
    expect(result.code).toBe(1);
    expect(domain?.spf.verdict).toBe("not-checked");
    expect(domain?.spf.correctedRecord).toBeNull();
    expect(domain?.spf.problems.map((p) => p.code)).toEqual(["spf-dns-error"]);
    expect(messages[0]).toMatch(/_spf\.example\.net is not in the zone files/);
    expect(domain?.dmarc.policy).toBe("reject");
    expect(domain?.dmarc.verdict).toBe("pass");
  });

  test("check --zone passes an IP listed before the include", async () => {
    const zone = temporary.file(ZONE, "example.com.zone");
    const args = ["check", "example.com", "--zone", zone, "--ip", "192.0.2.1"];
    const result = await runCommand(args);
    expect(result.stdout).toContain("192.0.2.1 pass");
    expect(result.stdout).not.toContain("has no SPF record");
    expect(result.stdout).not.toContain("Corrected record");
  });

  test("diagnose raises no critical authentication finding", async () => {
    server = await failingIncludesServer();
    const log = new PostfixLog();
    for (let hour = 0; hour < 3; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "news@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `reader${hour}@example.org` }],
      });
    }
    const args = [
      "diagnose",
      temporary.file(log.text()),
      "--format",
      "json",
      "--timezone",
      "UTC",
      "--resolver",
      server.address,
      "--timeout-ms",
      "300",
      "--domain",
      "example.com",
      "--ip",
      "192.0.2.1",
    ];
    const json = JSON.parse((await runCommand(args)).stdout) as {
      findings: { id: string; severity: string; fix: string[] }[];
      readiness: { items: { id: string; status: string }[] };
    };
    const auth = json.findings.find((finding) => finding.id === "authentication");
    const item = json.readiness.items.find((entry) => entry.id === "spf-dkim-dmarc");
    expect(auth?.severity).not.toBe("critical");
    expect(auth?.fix.join("\n")).not.toContain("Publish this SPF record");
    expect(item?.status).toBe("not-checked");
  });
});
