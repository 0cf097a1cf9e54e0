import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

// example.com is set up well in this zone; example.net has SPF, DKIM and PTR mistakes.
const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const validate = schemaValidator("diagnose.schema.json");

const temporary = temporaryFiles();
let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A day of mail from `account`, every message deferred by Gmail when `blocked`. */
function logOf(account: string, blocked: boolean): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account,
      clientIp: "198.51.100.10",
      recipients: [
        { address: `reader${hour}@gmail.com`, ...(blocked ? { outcome: GMAIL_RATE_LIMIT } : {}) },
      ],
    });
  }
  return temporary.file(log.text());
}

interface DiagnoseJson {
  findings: Array<{
    id: string;
    role: string;
    severity: string;
    evidence: Record<string, unknown>;
    fix: string[];
  }>;
  readiness: { items: Array<{ id: string; status: string }> };
  blocklists: { listsUsed: number; listed: Array<{ target: string; list: string }> } | null;
  checks: {
    resolver: string;
    domains: Array<{
      domain: string;
      spf: string;
      spfResults: Record<string, string>;
      dmarcPolicy: string | null;
    }>;
    ptr: Array<{ ip: string; forwardConfirmed: boolean }>;
  } | null;
}

async function diagnoseJson(args: string[]): Promise<{ code: number; json: DiagnoseJson }> {
  const result = await runCommand(["diagnose", "--format", "json", "--timezone", "UTC", ...args]);
  return { code: result.code, json: JSON.parse(result.stdout) as DiagnoseJson };
}

function readiness(json: DiagnoseJson, id: string): string | undefined {
  return json.readiness.items.find((item) => item.id === id)?.status;
}

describe("delist diagnose with DNS", () => {
  test("good records pass readiness", async () => {
    const { json } = await diagnoseJson([
      logOf("news@example.com", false),
      "--zone",
      zone,
      "--ip",
      "192.0.2.25",
      "--helo",
      "mail.example.com",
    ]);
    expect(validate(json)).toEqual([]);
    expect(json.checks?.domains.map((domain) => domain.domain)).toEqual(["example.com"]);
    expect(json.checks?.domains[0]?.spfResults).toEqual({ "192.0.2.25": "pass" });
    expect(json.checks?.ptr).toEqual([
      expect.objectContaining({ ip: "192.0.2.25", forwardConfirmed: true }),
    ]);
    expect(readiness(json, "ptr")).toBe("pass");
  });

  test("bad records add DNS findings", async () => {
    const { code, json } = await diagnoseJson([
      logOf("news@example.net", false),
      "--zone",
      zone,
      "--ip",
      "192.0.2.26",
    ]);
    expect(code).toBe(1);
    expect(validate(json)).toEqual([]);
    const auth = json.findings.find((finding) => finding.id === "authentication");
    expect(auth?.evidence["source"]).toBe("dns");
    expect(json.findings.map((finding) => finding.id)).toContain("reverse-dns");
    expect(readiness(json, "spf-dkim-dmarc")).toBe("fail");
    expect(readiness(json, "ptr")).toBe("fail");
  });

  test("DKIM fix names the check command", async () => {
    const { json } = await diagnoseJson([
      logOf("news@example.net", false),
      "--zone",
      zone,
      "--ip",
      "192.0.2.26",
    ]);
    const auth = json.findings.find((finding) => finding.id === "authentication");
    const fixes = (auth?.fix ?? []).join("\n");
    // diagnose has no --selector or --message, so a bare option would be rejected.
    expect(fixes).not.toMatch(/with --selector|with --message/);
    expect(fixes).toContain("`delist check example.net --selector NAME`");
    expect(fixes).toContain("`delist check example.net --message FILE`");
  });

  test("log and DNS findings merge", async () => {
    const log = new PostfixLog();
    const auth = {
      status: "deferred" as const,
      dsn: "4.7.27",
      reply:
        "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. 421 4.7.27 c1si2 - gsmtp",
    };
    for (let hour = 0; hour < 24; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "news@example.net",
        clientIp: "198.51.100.10",
        recipients: [{ address: `reader${hour}@gmail.com`, outcome: auth }],
      });
    }
    const { json } = await diagnoseJson([
      temporary.file(log.text()),
      "--zone",
      zone,
      "--ip",
      "192.0.2.26",
    ]);
    const findings = json.findings.filter((finding) => finding.id === "authentication");
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence["dns"]).toEqual(expect.objectContaining({ source: "dns" }));
    expect(findings[0]?.evidence["count"]).toBe(24);
  });

  test("domains and IPs come from the logs", async () => {
    const { json } = await diagnoseJson([logOf("news@example.com", true), "--zone", zone]);
    expect(json.checks?.domains.map((domain) => domain.domain)).toEqual(["example.com"]);
    // The Gmail replies of the fixture name 203.0.113.10 as the sending IP.
    expect(json.checks?.ptr.map((entry) => entry.ip)).toEqual(["203.0.113.10"]);
    expect(json.checks?.resolver).toContain("zone");
  });

  test("blocklist listing joins the findings", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "zen.spamhaus.org": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
        "bl.spamcop.net": { kind: "normal" },
      }),
    );
    const { code, json } = await diagnoseJson([
      logOf("news@example.com", false),
      "--resolver",
      server.address,
      "--timeout-ms",
      "200",
      "--ip",
      "192.0.2.25",
    ]);
    expect(code).toBe(1);
    expect(validate(json)).toEqual([]);
    const listed = json.findings.find((finding) => finding.id === "ip-blocklisted");
    expect(listed?.evidence["source"]).toBe("dnsbl");
    expect(readiness(json, "blocklists")).toBe("fail");
    expect(json.blocklists?.listed).toEqual([
      expect.objectContaining({ target: "192.0.2.25", list: "spamhaus-zen" }),
    ]);
    // Only the two lists this server answers for pass their test entries.
    expect(json.blocklists?.listsUsed).toBe(2);
  });

  test("--ip that no reply named", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "zen.spamhaus.org": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
      }),
    );
    const result = await runCommand([
      "diagnose",
      "--format",
      "json",
      "--timezone",
      "UTC",
      logOf("news@example.com", true),
      "--resolver",
      server.address,
      "--timeout-ms",
      "200",
      "--ip",
      "192.0.2.25",
    ]);
    const json = JSON.parse(result.stdout) as DiagnoseJson & {
      verdict: { summary: string };
      input: { notes: string[] };
    };
    expect(validate(json)).toEqual([]);

    const note = json.input.notes.find((text) => text.includes("--ip 192.0.2.25"));
    // The Gmail replies of the fixture name 203.0.113.10 as the sending IP.
    expect(note).toContain("not an IP that receivers named");
    expect(note).toContain("they judged 203.0.113.10");

    const listed = json.findings.find((finding) => finding.id === "ip-blocklisted");
    expect(listed?.role).toBe("observation");
    expect(listed?.severity).toBe("warning");
    expect(json.verdict.summary).not.toContain("ip-blocklisted");

    expect(json.checks?.ptr.map((entry) => entry.ip)).toEqual(["192.0.2.25", "203.0.113.10"]);
    expect(json.blocklists?.listed).toEqual([
      expect.objectContaining({ target: "192.0.2.25", list: "spamhaus-zen" }),
    ]);
  });

  test("trap list listing adds spam-traps", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "psbl.surriel.com": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
      }),
    );
    const { json } = await diagnoseJson([
      logOf("news@example.com", false),
      "--resolver",
      server.address,
      "--timeout-ms",
      "200",
      "--ip",
      "192.0.2.25",
    ]);
    expect(validate(json)).toEqual([]);
    const traps = json.findings.find((finding) => finding.id === "spam-traps");
    expect(traps?.evidence["source"]).toBe("dnsbl");
  });

  test.each([
    ["answers every query", "127.0.0.2", "They list the test entry that must not be listed"],
    ["answers NXDOMAIN", null, "They do not list the test entry that must be listed"],
  ])("resolver that %s: not checked", async (_name, address, cause) => {
    server = await startDnsServer((question) =>
      address === null || question.type !== "A"
        ? { rcode: "NXDOMAIN" }
        : { answers: [{ type: "A", name: question.name, ttl: 60, data: address }] },
    );
    const args = ["--timezone", "UTC", "--resolver", server.address, "--timeout-ms", "200"];
    const log = logOf("news@example.com", true);
    const text = await runCommand(["diagnose", ...args, log]);
    const { json } = await diagnoseJson([...args, log]);
    const blocklistText = text.stdout.slice(text.stdout.indexOf("Blocklists for"));

    expect(json.blocklists?.listsUsed).toBe(0);
    expect(readiness(json, "blocklists")).toBe("not-checked");
    expect(text.stdout).toMatch(/Blocklists for 203\.0\.113\.10, example\.com: not checked/);
    expect(text.stdout).not.toContain("not listed;");
    expect(text.stdout).not.toContain("Leave it out of your config");
    expect(blocklistText.replace(/\s+/g, " ")).toContain(cause);
    expect(text.stdout.match(/Note: Not used in this run/g)).toHaveLength(1);
  });

  test("empty DQS zones: note names the key", async () => {
    server = await startDnsServer(() => ({ rcode: "NXDOMAIN" }));
    const args = ["--timezone", "UTC", "--resolver", server.address, "--timeout-ms", "200"];
    const log = logOf("news@example.com", true);
    const keyed = await runCommand(["diagnose", ...args, "--spamhaus-dqs-key", "abcdefgh12", log]);
    const unkeyed = await runCommand(["diagnose", ...args, log]);
    const keyedNote = keyed.stdout.replace(/\s+/g, " ");
    const unkeyedNote = unkeyed.stdout.replace(/\s+/g, " ");

    expect(keyedNote).toContain("Spamhaus Data Query Service, check the DQS key first.");
    expect(unkeyedNote).toContain("They do not list the test entry that must be listed");
    expect(unkeyedNote).not.toContain("DQS key");
  });

  test("unreachable resolver: not checked", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const args = ["--timezone", "UTC", "--resolver", server.address, "--timeout-ms", "100"];
    const log = logOf("news@example.com", true);
    const text = await runCommand(["diagnose", ...args, log]);
    const { json } = await diagnoseJson([...args, log]);

    expect(json.blocklists?.listsUsed).toBe(0);
    expect(readiness(json, "blocklists")).toBe("not-checked");
    expect(text.stdout).toContain("example.com: not checked, because no block list");
    expect(text.stdout).not.toMatch(/Asked 0 blocklists/);
  });

  test("unreachable DNS leaves PTR unchecked", async () => {
    const args = [logOf("news@example.com", false), "--resolver", "127.0.0.1:1"];
    const { json } = await diagnoseJson([...args, "--timeout-ms", "200", "--ip", "192.0.2.25"]);
    expect(validate(json)).toEqual([]);
    const ptr = (json.checks?.ptr ?? []) as Array<{ ip: string; error?: string | null }>;
    expect(ptr[0]?.error).toMatch(/^not checked/);
    const text = await runCommand([
      "diagnose",
      ...args,
      "--timeout-ms",
      "200",
      "--ip",
      "192.0.2.25",
    ]);
    expect(text.stdout).toMatch(/PTR 192\.0\.2\.25\s+not checked/);
    expect(text.stdout).not.toContain("no PTR");
  });

  test("offline skips DNS", async () => {
    const { json } = await diagnoseJson([logOf("news@example.com", true), "--offline"]);
    expect(json.checks).toBeNull();
    expect(readiness(json, "spf-dkim-dmarc")).toBe("not-checked");
  });

  test("invalid --domain is a usage error", async () => {
    const result = await runCommand([
      "diagnose",
      "--offline",
      logOf("a@example.com", false),
      "--domain",
      "not a domain",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --domain "not a domain"');
  });
});
