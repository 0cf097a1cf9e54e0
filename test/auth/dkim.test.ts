import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import { describe, expect, it } from "vitest";
import { checkDkim } from "../../src/auth/dkim/check.js";
import { parseDkimKey } from "../../src/auth/dkim/key.js";
import { selectorsInMessage } from "../../src/auth/dkim/selectors.js";
import { verifyDkimSignatures } from "../../src/auth/dkim/verify.js";
import { zoneDns } from "./zone.js";

function keyPair(bits: number): { privateKey: string; record: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const base64 = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const strings = (base64.match(/.{1,200}/g) ?? []).map((part) => `"${part}"`).join(" ");
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: strings,
  };
}

const strong = keyPair(2048);
const medium = keyPair(1024);
const weak = keyPair(512);

const zone = `$ORIGIN example.com.
s2048._domainkey TXT "v=DKIM1; k=rsa; p=" ${strong.record}
s1024._domainkey TXT "v=DKIM1; k=rsa; p=" ${medium.record}
s512._domainkey TXT "v=DKIM1; k=rsa; p=" ${weak.record}
test._domainkey TXT "v=DKIM1; t=y; p=" ${strong.record}
revoked._domainkey TXT "v=DKIM1; k=rsa; p="
broken._domainkey TXT "v=DKIM1; k=rsa; p=bm90IGEga2V5"
selector1._domainkey TXT "v=DKIM1; k=rsa; p=" ${strong.record}
selector1._domainkey TXT "some unrelated text"
`;

describe("DKIM key check", () => {
  it("grades keys by size, test mode and revocation", async () => {
    const selectors = ["s2048", "s1024", "s512", "test", "revoked", "broken", "absent"];
    const check = await checkDkim(
      "example.com",
      selectors.map((selector) => ({ selector, source: "given" as const })),
      zoneDns(zone),
    );
    expect(check.evidence.selectors.map((s) => [s.selector, s.status, s.bits])).toEqual([
      ["s2048", "valid", 2048],
      ["s1024", "weak", 1024],
      ["s512", "too-short", 512],
      ["test", "testing", 2048],
      ["revoked", "revoked", null],
      ["broken", "invalid", null],
      ["absent", "missing", null],
    ]);
    expect(check.problems.map((p) => p.code)).toEqual([
      "dkim-key-1024",
      "dkim-key-too-short",
      "dkim-testing",
      "dkim-revoked",
      "dkim-invalid",
      "dkim-missing",
    ]);
    expect(check.verdict).toBe("fail");
  });

  it("rejects h= without sha256", async () => {
    const hashZone = `$ORIGIN example.com.
sha1._domainkey TXT "v=DKIM1; h=sha1; p=" ${strong.record}
both._domainkey TXT "v=DKIM1; h=sha1:sha256; p=" ${strong.record}
sha256._domainkey TXT "v=DKIM1; h=sha256; p=" ${strong.record}
`;
    const check = await checkDkim(
      "example.com",
      ["sha1", "both", "sha256"].map((selector) => ({ selector, source: "given" as const })),
      zoneDns(hashZone),
    );
    const statuses = check.evidence.selectors.map((s) => [s.selector, s.status]);

    expect(statuses).toEqual([
      ["sha1", "no-sha256"],
      ["both", "valid"],
      ["sha256", "valid"],
    ]);
    expect(check.problems.map((p) => [p.code, p.severity])).toEqual([["dkim-no-sha256", "error"]]);
    expect(check.problems[0]?.message).toContain("(h=sha1 does not include sha256)");
    expect(check.explanation).toBe("example.com publishes 2 usable DKIM keys (both, sha256).");
  });

  it("tries common selectors when none is given", async () => {
    const check = await checkDkim("example.com", [], zoneDns(zone));
    expect(check.evidence.selectors.map((s) => [s.selector, s.status, s.source])).toEqual([
      ["selector1", "valid", "common"],
    ]);
    expect(check.verdict).toBe("pass");
  });

  it("says unverified when no common selector exists", async () => {
    const check = await checkDkim(
      "example.net",
      [],
      zoneDns("$ORIGIN example.net.\n@ A 192.0.2.1\n"),
    );
    expect(check.problems.map((p) => p.code)).toEqual(["dkim-not-found"]);
    expect(check.verdict).toBe("warn");
  });

  it("reads Ed25519 keys", () => {
    const key = parseDkimKey("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    expect(key.bits).toBe(256);
    expect(key.error).toBeNull();
  });
});

describe("DKIM signatures", () => {
  const message = [
    "From: Sender <sender@example.com>",
    "To: someone@example.org",
    "Subject: DKIM test",
    "Message-ID: <dkim-test@example.com>",
    "Date: Fri, 04 Dec 2026 10:00:00 +0000",
    "",
    "Hello.",
    "",
  ].join("\r\n");

  async function signed(selector: string, privateKey: string): Promise<string> {
    // mailauth 4.13 reads the keys from signatureData; its type marks the top-level fields required.
    const entry = { signingDomain: "example.com", selector, privateKey };
    const result = await dkimSign(message, { ...entry, signatureData: [entry] } as Parameters<
      typeof dkimSign
    >[1]);
    return result.signatures + message;
  }

  it("verifies a signed message through the DNS context", async () => {
    const results = await verifyDkimSignatures(
      Buffer.from(await signed("s2048", strong.privateKey)),
      zoneDns(zone),
    );
    expect(results.map((r) => [r.domain, r.selector, r.result])).toEqual([
      ["example.com", "s2048", "pass"],
    ]);
  });

  it("fails a message changed after signing", async () => {
    const text = (await signed("s2048", strong.privateKey)).replace("Hello.", "Hello!");
    const results = await verifyDkimSignatures(Buffer.from(text), zoneDns(zone));
    // mailauth 4.13 reports a body hash mismatch as neutral, with the reason in the comment.
    expect(results[0]?.result).not.toBe("pass");
    expect(results[0]?.comment).toMatch(/body hash/i);
  });

  it("finds the selectors of a message", async () => {
    expect(selectorsInMessage(await signed("s1024", medium.privateKey))).toEqual([
      { domain: "example.com", selector: "s1024" },
    ]);
  });
});
