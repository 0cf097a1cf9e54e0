import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();
const validate = schemaValidator("check.schema.json");

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyRecord = (
  publicKey
    .export({ type: "spki", format: "der" })
    .toString("base64")
    .match(/.{1,200}/g) ?? []
)
  .map((part) => `"${part}"`)
  .join(" ");

// The files hold example.com, example.net and the reverse zone of 192.0.2.0/24. The second
// MX of example.com, its SPF include and every ip6.arpa name are outside them.
const ZONE = `$ORIGIN example.com.
$TTL 1h
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mail
@       IN MX  20 mx.example.org.
@       IN TXT "v=spf1 ip4:192.0.2.25 include:_spf.example.org -all"
mail    IN A   192.0.2.25
_dmarc  IN TXT "v=DMARC1; p=reject"
s1._domainkey IN TXT "v=DKIM1; k=rsa; p=" ${keyRecord}
$ORIGIN example.net.
@       IN SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
@       IN MX  10 mail.example.com.
@       IN TXT "v=spf1 ip4:192.0.2.25 -all"
_dmarc  IN TXT "v=DMARC1; p=none"
s1._domainkey IN TXT "v=DKIM1; k=rsa; p=" ${keyRecord}
$ORIGIN 2.0.192.in-addr.arpa.
@       IN SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
25      IN PTR mail.example.com.
`;

interface Section {
  verdict: string;
  problems: { code: string; severity: string; fix: string | null }[];
}

interface CheckJson {
  domains: { domain: string; mx: Section; spf: Section & { record: string | null } }[];
  reverseDns: Section;
  findings: { id: string; severity: string; fix: string[] }[];
  readiness: { id: string; status: string; detail: string }[];
}

async function check(...args: string[]): Promise<{ text: string; json: CheckJson }> {
  const zone = temporary.file(ZONE, "zones.zone");
  const text = await runCommand(["check", ...args, "--zone", zone]);
  const json = await runCommand(["check", ...args, "--zone", zone, "--format", "json"]);
  const parsed = JSON.parse(json.stdout) as CheckJson;
  expect(validate(parsed)).toEqual([]);
  return { text: text.stdout, json: parsed };
}

describe("check --zone with names outside the files", () => {
  it("leaves the outside MX host unchecked", async () => {
    const { text, json } = await check("example.com", "--ip", "192.0.2.25");
    const mx = json.domains[0]?.mx;

    expect(text).toMatch(/MX +not checked +not checked: mx\.example\.org is not in the zone/);
    expect(text).toContain("The MX host mx.example.org was not checked");
    expect(text).not.toContain("has no A or AAAA record");
    expect(mx?.verdict).toBe("not-checked");
    expect(mx?.problems.map((p) => p.code)).toEqual(["mx-not-in-zone"]);
  });

  it("leaves the outside PTR unchecked", async () => {
    const { text, json } = await check("example.com", "--ip", "2001:db8::25");
    const finding = json.findings.find((f) => f.id === "reverse-dns");

    expect(text).toMatch(/Reverse DNS +not checked/);
    expect(text).not.toMatch(/Reverse DNS +FAIL/);
    expect(text.replace(/\s+/g, " ")).toContain("to the --zone files, or run without --zone");
    expect(text).not.toContain("name servers");
    expect(json.reverseDns.verdict).toBe("not-checked");
    expect(json.reverseDns.problems.map((p) => p.code)).toEqual(["ptr-not-in-zone"]);
    expect(finding?.severity).toBe("info");
    expect(finding?.fix.join(" ")).not.toContain("name servers");
  });

  it("shows the record of an unchecked SPF", async () => {
    const { text, json } = await check("example.com");

    expect(json.domains[0]?.spf.verdict).toBe("not-checked");
    expect(text).toMatch(/SPF +not checked/);
    expect(text).toContain("record: v=spf1 ip4:192.0.2.25 include:_spf.example.org -all");
    expect(text).not.toContain("DNS lookups:");
  });
});

/** Writes a message from example.com signed with the published key, changed by `change`. */
async function messageFile(change: (message: string) => string): Promise<string> {
  const body = [
    "From: News <news@example.com>",
    "To: reader@example.org",
    "Subject: Hello",
    "Return-Path: <bounces@example.com>",
    "",
    "Hello.",
    "",
  ].join("\r\n");
  const entry = {
    signingDomain: "example.com",
    selector: "s1",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  // mailauth 4.13 reads the keys from signatureData, although its type requires the top-level fields.
  const signed = await dkimSign(body, { ...entry, signatureData: [entry] } as Parameters<
    typeof dkimSign
  >[1]);
  return temporary.file(change(signed.signatures + body), "message.eml");
}

describe("check --message with several domains", () => {
  it("names the judged domain", async () => {
    const message = await messageFile((text) => text);
    const { text } = await check("example.com", "example.net", "--message", message);

    expect(text.replace(/\s+/g, " ")).toContain(
      "The sample message was judged against example.com only, so the checks of example.net show DNS alone.",
    );
  });

  it("fails readiness for a tampered message", async () => {
    const message = await messageFile((text) => text.replace("Hello.", "Hello!"));
    const args = ["example.com", "example.net", "--ip", "192.0.2.25", "--message", message];
    const { json } = await check(...args);
    const item = json.readiness.find((entry) => entry.id === "spf-dkim-dmarc");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("example.com: SPF");
    expect(item?.detail).toContain("DKIM fail in the sample message");
    expect(item?.detail).toContain("body hash did not verify");
    expect(item?.detail).not.toContain("example.net");
  });
});
