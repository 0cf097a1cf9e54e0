import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dkimSign } from "mailauth";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

forbidRealNetwork();

const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const validate = schemaValidator("check.schema.json");

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface CheckJson {
  verdict: string;
  spf: { result: Record<string, string>; lookups: number; correctedRecord: string | null };
  dkim: { selector: string; status: string }[];
  dmarc: { policy: string | null };
  ptr: { ip: string; names: string[]; forwardConfirmed: boolean }[];
  findings: { id: string }[];
  domains: { domain: string }[];
  dns: { queries: number; unreachable: boolean };
}

async function checkJson(
  args: string[],
): Promise<{ code: number; json: CheckJson; stderr: string }> {
  const result = await runCommand(["check", ...args, "--format", "json"]);
  return { code: result.code, json: JSON.parse(result.stdout) as CheckJson, stderr: result.stderr };
}

describe("delist check", () => {
  it("passes a good domain from a zone file, offline", async () => {
    const { code, json } = await checkJson([
      "example.com",
      "--ip",
      "192.0.2.25",
      "2001:db8::25",
      "--helo",
      "mail.example.com",
      "--selector",
      "s2048",
      "--zone",
      zone,
      "--offline",
    ]);
    expect(validate(json)).toEqual([]);
    expect(json.spf.result).toEqual({ "192.0.2.25": "pass", "2001:db8::25": "pass" });
    expect(json.spf.lookups).toBe(1);
    expect(json.dkim).toMatchObject([{ selector: "s2048", status: "valid" }]);
    expect(json.dmarc.policy).toBe("quarantine");
    expect(json.ptr.map((p) => [p.ip, p.names, p.forwardConfirmed])).toEqual([
      ["192.0.2.25", ["mail.example.com"], true],
      ["2001:db8::25", ["mail.example.com"], true],
    ]);
    expect(json.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it("fails a broken domain and writes the corrected record", async () => {
    const { code, json } = await checkJson([
      "example.net",
      "--ip",
      "192.0.2.26",
      "--selector",
      "old",
      "s1024",
      "--zone",
      zone,
      "--offline",
    ]);
    expect(validate(json)).toEqual([]);
    expect(json.spf.result).toEqual({ "192.0.2.26": "permerror" });
    expect(json.spf.correctedRecord).toBe("v=spf1 ip4:192.0.2.26 ~all");
    expect(json.dkim.map((s) => [s.selector, s.status])).toEqual([
      ["old", "too-short"],
      ["s1024", "testing"],
    ]);
    expect(json.findings.map((f) => f.id)).toEqual(["authentication", "reverse-dns"]);
    expect(code).toBe(1);
  });

  it("checks several domains", async () => {
    const { json } = await checkJson(["example.com", "example.net", "--zone", zone]);
    expect(json.domains.map((d) => d.domain)).toEqual(["example.com", "example.net"]);
    expect(validate(json)).toEqual([]);
  });

  it("writes text that fits 80 columns", async () => {
    const result = await runCommand([
      "check",
      "example.net",
      "--ip",
      "192.0.2.26",
      "--zone",
      zone,
      "--offline",
    ]);
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain("Corrected record:");
    expect(result.stdout).toContain("Sender requirements for example.net");
    expect(result.code).toBe(1);
  });

  it("says not checked with --offline and no zone", async () => {
    const result = await runCommand(["check", "example.com", "--ip", "192.0.2.25", "--offline"]);
    const { json } = await checkJson(["example.com", "--ip", "192.0.2.25", "--offline"]);
    const spf = json.spf as CheckJson["spf"] & { explanation: string };
    expect(result.stdout).toContain("SPF     not checked  not checked: --offline");
    expect(result.stdout).toContain("192.0.2.25  not checked: --offline");
    expect(result.stdout).not.toContain("unreachable");
    // No query was sent, so the footer claims none.
    expect(result.stdout).toContain("DNS: none (--offline: no DNS queries sent).\n");
    expect(result.stdout).not.toMatch(/\d+ quer(y|ies)/);
    expect((json.dns as { queries: number }).queries).toBe(0);
    expect(spf.explanation).toBe("not checked: --offline");
    expect(json.ptr).toMatchObject([{ ip: "192.0.2.25", error: "not checked: --offline" }]);
    expect(validate(json)).toEqual([]);
    expect(result.stderr).toContain("Give --zone FILE");
    expect(result.code).toBe(2);
  });

  it("names the record of a nested SPF loop", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-check-")), "loop.zone");
    writeFileSync(
      file,
      [
        "$ORIGIN example.com.",
        '@ TXT "v=spf1 include:a.example.com -all"',
        'a TXT "v=spf1 include:b.example.com -all"',
        'b TXT "v=spf1 include:example.com -all"',
        "",
      ].join("\n"),
    );
    const text = await runCommand(["check", "example.com", "--zone", file]);
    const { json } = await checkJson(["example.com", "--zone", file]);
    const spf = json.spf as CheckJson["spf"] & { problems: { code: string; fix: string }[] };
    expect(spf.problems.map((p) => [p.code, p.fix])).toEqual([
      ["spf-loop", "Remove include:example.com from the SPF record of b.example.com."],
    ]);
    expect(spf.correctedRecord).toBeNull();
    expect(text.stdout).toContain("b.example.com.");
    expect(text.stdout).not.toContain("Corrected record:");
    expect(text.code).toBe(1);
  });

  it("merges two SPF records into ~all and says why", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-check-")), "two.zone");
    writeFileSync(
      file,
      [
        "$ORIGIN example.com.",
        '@ TXT "v=spf1 include:_spf.mail-one.example.com include:_spf.mail-two.example.com ' +
          'include:_spf.mail-three.example.com ~all"',
        '@ TXT "v=spf1 ip4:192.0.2.10 -all"',
        '_spf.mail-one TXT "v=spf1 ip4:192.0.2.20 -all"',
        '_spf.mail-two TXT "v=spf1 ip4:192.0.2.21 -all"',
        '_spf.mail-three TXT "v=spf1 ip4:192.0.2.22 -all"',
        "",
      ].join("\n"),
    );
    const args = ["example.com", "--ip", "192.0.2.10", "--zone", file];
    const text = await runCommand(["check", ...args]);
    const { json } = await checkJson(args);
    const spf = json.spf as CheckJson["spf"] & { problems: { code: string; fix: string }[] };
    const merge = spf.problems.find((p) => p.code === "spf-multiple");
    const lines = text.stdout.split("\n");
    const start = lines.findIndex((line) => line.trim() === "example.com. IN TXT (");
    const end = lines.findIndex((line, index) => index > start && line.endsWith('" )'));
    const strings = lines.slice(start + 1, end + 1).map((line) => line.trim());

    expect(validate(json)).toEqual([]);
    expect(spf.correctedRecord).toBe(
      "v=spf1 include:_spf.mail-one.example.com include:_spf.mail-two.example.com " +
        "include:_spf.mail-three.example.com ip4:192.0.2.10 ~all",
    );
    expect(merge?.fix).toContain("endings are ~all and -all");
    expect(merge?.fix).toContain("the merged record ends in ~all");
    expect(start).toBeGreaterThan(0);
    expect(strings.at(-1)).toMatch(/ ~all" \)$/);
    // The strings of one TXT record join with nothing between them.
    const unquoted = strings.map((line) => line.replace(/^"/, "").replace(/"( \))?$/, ""));
    expect(unquoted.join("")).toBe(spf.correctedRecord);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
  });

  it("keeps -all when both SPF records have it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-check-")), "hard.zone");
    writeFileSync(
      file,
      [
        "$ORIGIN example.com.",
        '@ TXT "v=spf1 ip4:192.0.2.20 -all"',
        '@ TXT "v=spf1 ip4:192.0.2.10 -all"',
        "",
      ].join("\n"),
    );
    const args = ["example.com", "--ip", "192.0.2.10", "--zone", file];
    const text = await runCommand(["check", ...args]);
    const { json } = await checkJson(args);
    const spf = json.spf as CheckJson["spf"] & { problems: { code: string; fix: string }[] };

    expect(spf.correctedRecord).toBe("v=spf1 ip4:192.0.2.20 ip4:192.0.2.10 -all");
    expect(spf.problems.find((p) => p.code === "spf-multiple")?.fix).toContain(
      "It ends in -all, as every record does.",
    );
    expect(text.stdout).toContain("Corrected record:\n            v=spf1 ip4:192.0.2.20");
  });

  it("shows absent optional records as none", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-check-")), "bare.zone");
    writeFileSync(file, ["$ORIGIN example.com.", '@ TXT "v=spf1 -all"', ""].join("\n"));
    const text = await runCommand(["check", "example.com", "--zone", file]);
    const { json } = await checkJson(["example.com", "--zone", file]);
    const domain = json.domains[0] as { mtaSts: { verdict: string } } | undefined;

    expect(text.stdout).toMatch(/^ {2}MTA-STS none {2}example\.com publishes no MTA-STS/m);
    expect(text.stdout).toMatch(/^ {2}TLS-RPT none {2}/m);
    expect(text.stdout).toMatch(/^ {2}BIMI {4}none {2}/m);
    expect(domain?.mtaSts.verdict).toBe("pass");
    expect(text.stdout.replace(/\s+/g, " ")).toContain(
      "among the selectors checked: default, dkim, mail,",
    );
  });

  it("never says no PTR when DNS is silent", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const args = ["check", "example.com", "--ip", "192.0.2.1", "--resolver", server.address];
    const text = await runCommand([...args, "--timeout-ms", "100"]);
    const json = await checkJson([...args.slice(1), "--timeout-ms", "100"]);
    expect(text.stdout).toContain("192.0.2.1  not checked: the DNS query timed out");
    expect(text.stdout).not.toContain("no PTR");
    expect(text.stdout).not.toContain("not confirmed");
    expect(json.json.ptr).toMatchObject([
      { ip: "192.0.2.1", error: "not checked: the DNS query timed out" },
    ]);
    expect(validate(json.json)).toEqual([]);
    expect(text.stderr).toContain(`Check that the DNS server at ${server.address} answers`);
    expect(text.code).toBe(2);
  });

  it("asks a given server and traces with --verbose", async () => {
    server = await startDnsServer(
      tableHandler({
        "TXT example.com": [
          { type: "TXT", name: "example.com", data: "v=spf1 ip4:192.0.2.25 -all" },
        ],
      }),
    );
    const result = await runCommand([
      "check",
      "example.com",
      "--ip",
      "192.0.2.25",
      "--resolver",
      server.address,
      "--verbose",
      "--format",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.spf.result).toEqual({ "192.0.2.25": "pass" });
    expect(result.stderr).toContain("dns: TXT example.com -> 1 record");
  });

  it("replays a recorded run", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-check-")), "dns.json");
    const recorded = await checkJson([
      "example.com",
      "--ip",
      "192.0.2.25",
      "--zone",
      zone,
      "--dns-record",
      file,
    ]);
    const replayed = await checkJson(["example.com", "--ip", "192.0.2.25", "--dns-replay", file]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ version: 1 });
    expect(replayed.json.spf).toEqual(recorded.json.spf);
    expect(replayed.json.dmarc).toEqual(recorded.json.dmarc);
  });

  /** Writes a zone with a DKIM key for example.com and a message signed with it. */
  async function signedMessage(
    change: (message: string) => string = (message) => message,
  ): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), "delist-check-"));
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const strings = (key.match(/.{1,200}/g) ?? []).map((part) => `"${part}"`).join(" ");
    writeFileSync(
      join(dir, "signed.zone"),
      `${readFileSync(zone, "utf8")}\n$ORIGIN example.com.\nnew._domainkey TXT "v=DKIM1; p=" ${strings}\n`,
    );
    const body =
      "From: News <news@example.com>\r\nTo: reader@example.org\r\nSubject: Hello\r\nReturn-Path: <bounces@example.com>\r\n\r\nHello.\r\n";
    const entry = {
      signingDomain: "example.com",
      selector: "new",
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
    const signed = await dkimSign(body, { ...entry, signatureData: [entry] } as Parameters<
      typeof dkimSign
    >[1]);
    writeFileSync(join(dir, "message.eml"), change(signed.signatures + body));
    return [
      "check",
      "example.com",
      "--ip",
      "192.0.2.25",
      "--zone",
      join(dir, "signed.zone"),
      "--message",
      join(dir, "message.eml"),
      "--offline",
    ];
  }

  it("verifies a sample message with DMARC", async () => {
    const result = await runCommand([...(await signedMessage()), "--format", "json"]);
    const json = JSON.parse(result.stdout) as CheckJson & {
      message: {
        signatures: { result: string }[];
        dmarc: { result: string; dkimAligned: boolean; spfAligned: boolean };
      };
    };
    expect(validate(json)).toEqual([]);
    expect(json.dkim.map((s) => [s.selector, s.status])).toEqual([["new", "valid"]]);
    expect(json.message.signatures.map((s) => s.result)).toEqual(["pass"]);
    expect(json.message.dmarc).toMatchObject({
      result: "pass",
      dkimAligned: true,
      spfAligned: true,
    });
    expect(result.code).toBe(0);
  });

  it("fails the DKIM rows when the sample message's signature does not verify", async () => {
    const tampered = await signedMessage((message) => message.replace("Hello.", "Hello!"));
    const result = await runCommand(tampered);
    expect(result.stdout).toMatch(/Gmail +bulk +FAIL/);
    expect(result.stdout).toContain("body hash did not verify");
    expect(result.stdout).toMatch(/Overall: FAIL/i);
    expect(result.code).toBe(1);
  });

  it("rejects bad options with exit status 2", async () => {
    expect((await runCommand(["check", "192.0.2.1"])).code).toBe(2);
    expect((await runCommand(["check", "example.com", "--ip", "not-an-ip"])).code).toBe(2);
    expect(
      (await runCommand(["check", "example.com", "--zone", zone, "--resolver", "127.0.0.1"])).code,
    ).toBe(2);
    expect((await runCommand(["check", "example.com", "--resolver", "dns.example.com"])).code).toBe(
      2,
    );
    expect((await runCommand(["check", "example.com", "--timeout-ms", "0"])).code).toBe(2);
    const underscore = await runCommand(["check", "mail_01.example.com", "--offline"]);
    expect(underscore.code).toBe(2);
    expect(underscore.stderr).toContain('invalid domain "mail_01.example.com"');
    const offline = ["check", "example.com", "--offline", "--resolver", "127.0.0.1"];
    expect((await runCommand(offline)).code).toBe(2);
    expect((await runCommand(["check"])).code).toBe(2);
  });

  it("names the line of a bad zone file", async () => {
    const bad = fileURLToPath(new URL("../dns/fixtures/mixed.zone", import.meta.url)).replace(
      "mixed.zone",
      "missing.zone",
    );
    const result = await runCommand(["check", "example.com", "--zone", bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing.zone");
  });
});
