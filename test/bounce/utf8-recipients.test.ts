import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { typedAddress, withUtf8Escapes } from "../../src/bounce/dsn.js";
import { firstAddress } from "../../src/bounce/formats/address.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { message } from "./fixtures.js";

async function decode(raw: string | Uint8Array): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results;
}

const ADDRESS = "jörg@bücher.example";

/** Builds a global DSN (RFC 6533) whose status part contains the given recipient fields. */
function globalDsn(recipientFields: readonly string[], partHeaders: readonly string[] = []) {
  return message(
    "From: MAILER-DAEMON@mx.example.net",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Thu, 05 Mar 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=global-delivery-status; boundary="G1"',
    "",
    "--G1",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Your message could not be delivered.",
    "",
    "--G1",
    "Content-Type: message/global-delivery-status",
    ...partHeaders,
    "",
    ...recipientFields,
    "",
    "--G1--",
  );
}

function failedFields(recipientField: string): string[] {
  return [
    "Reporting-MTA: dns; mx.example.net",
    "",
    recipientField,
    "Action: failed",
    "Status: 5.1.1",
    `Diagnostic-Code: smtp; 550 5.1.1 <${ADDRESS}>: Recipient address rejected: User unknown`,
  ];
}

describe("UTF-8 recipients of a DSN", () => {
  it.each([
    ["utf-8 type", `Final-Recipient: utf-8; ${ADDRESS}`],
    ["rfc822 type", `Final-Recipient: rfc822; ${ADDRESS}`],
    ["angle brackets", `Final-Recipient: utf-8; <${ADDRESS}>`],
    ["escapes", String.raw`Final-Recipient: utf-8; j\x{F6}rg@b\x{FC}cher.example`],
    ["lower-case escapes", String.raw`Final-Recipient: utf-8; j\x{f6}rg@b\x{fc}cher.example`],
    [
      "Original-Recipient only",
      String.raw`Original-Recipient: utf-8; j\x{F6}rg@b\x{FC}cher.example`,
    ],
  ])("reads the address with %s", async (_name, field) => {
    const [result, extra] = await decode(globalDsn(failedFields(field)));
    expect(extra).toBeUndefined();
    expect(result?.recipient).toBe(ADDRESS);
    expect(result?.reason).toBe("userunknown");
  });

  it("reads the bytes of an 8bit part as UTF-8", async () => {
    const raw = Buffer.from(
      globalDsn(failedFields(`Final-Recipient: utf-8; ${ADDRESS}`), [
        "Content-Transfer-Encoding: 8bit",
      ]),
      "utf8",
    );
    const [result] = await decode(raw);
    expect(result?.recipient).toBe(ADDRESS);
  });

  it("reads a quoted-printable part as UTF-8", async () => {
    // "ö" is C3 B6 and "ü" is C3 BC in UTF-8.
    const fields = failedFields("Final-Recipient: utf-8; j=C3=B6rg@b=C3=BCcher.example");
    const [result] = await decode(
      globalDsn(fields, ["Content-Transfer-Encoding: quoted-printable"]),
    );
    expect(result?.recipient).toBe(ADDRESS);
  });

  it("reads a Chinese address from a base64 part", async () => {
    const fields = [
      "Reporting-MTA: dns; mx.example.net",
      "",
      String.raw`Final-Recipient: utf-8; \x{7528}\x{6237}@\x{4F8B}\x{5B50}.example`,
      "Action: failed",
      "Status: 5.1.1",
    ].join("\n");
    const encoded = Buffer.from(fields, "utf8").toString("base64");
    const [result] = await decode(globalDsn([encoded], ["Content-Transfer-Encoding: base64"]));
    expect(result?.recipient).toBe("用户@例子.example");
  });

  it("keeps escapes of the rfc822 type as written", async () => {
    const field = String.raw`Final-Recipient: rfc822; j\x{F6}rg@example.com`;
    const [result] = await decode(globalDsn(failedFields(field)));
    expect(result?.recipient).toBe(String.raw`j\x{F6}rg@example.com`);
  });

  it("prefers Final-Recipient to Original-Recipient", async () => {
    const fields = failedFields(`Final-Recipient: utf-8; ${ADDRESS}`);
    fields.splice(2, 0, "Original-Recipient: utf-8; alias@bücher.example");
    const [result] = await decode(globalDsn(fields));
    expect(result?.recipient).toBe(ADDRESS);
  });
});

describe("typedAddress escapes", () => {
  it("decodes a code point above the Basic Multilingual Plane", () => {
    expect(typedAddress(String.raw`utf-8; \x{1F600}@example.com`)).toBe("😀@example.com");
  });

  it("decodes the escapes that xtext needs", () => {
    expect(withUtf8Escapes(String.raw`a\x{2B}b\x{3D}c\x{5C}d@example.com`)).toBe(
      "a+b=c\\d@example.com",
    );
  });

  it.each([
    ["a control character", String.raw`a\x{0A}b@example.com`],
    ["DEL", String.raw`a\x{7F}b@example.com`],
    ["a surrogate", String.raw`a\x{D800}b@example.com`],
    ["a plain ASCII letter", String.raw`a\x{41}b@example.com`],
    ["a value above Unicode", String.raw`a\x{110000}b@example.com`],
  ])("keeps the escape of %s", (_name, address) => {
    expect(withUtf8Escapes(address)).toBe(address);
  });

  it("returns null for a field without an address", () => {
    expect(typedAddress("utf-8;  ")).toBeNull();
  });
});

describe("UTF-8 recipients of plain-text bounces", () => {
  it("reads a Postfix notice without a DSN", async () => {
    const raw = message(
      "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)",
      "To: sender@example.com",
      "Subject: Undelivered Mail Returned to Sender",
      "Date: Thu, 05 Mar 2026 10:00:00 +0000",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "This is the mail system at host mx.example.net.",
      "",
      `<${ADDRESS}>: host mx.example.org[192.0.2.25] said: 550 5.1.1`,
      `    <${ADDRESS}>: Recipient address rejected: User unknown (in reply`,
      "    to RCPT TO command)",
    );
    const [result, extra] = await decode(Buffer.from(raw, "utf8"));
    expect(extra).toBeUndefined();
    expect(result?.kind).toBe("bounce");
    expect(result?.recipient).toBe(ADDRESS);
    expect(result?.reason).toBe("userunknown");
  });

  it("reads a Greek address from an Exim notice", async () => {
    const greek = "δοκιμή@παράδειγμα.example";
    const raw = message(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>",
      "To: sender@example.com",
      "Subject: Mail delivery failed: returning message to sender",
      "Date: Thu, 05 Mar 2026 10:00:00 +0000",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "A message that you sent could not be delivered to one or more of its",
      "recipients. This is a permanent error. The following address(es) failed:",
      "",
      `  ${greek}`,
      "    host mx.example.org [192.0.2.26]",
      `    SMTP error from remote mail server after RCPT TO:<${greek}>:`,
      "    550 5.1.1 User unknown",
    );
    const [result] = await decode(Buffer.from(raw, "utf8"));
    expect(result?.recipient).toBe(greek);
  });

  it("reads X-Failed-Recipients in UTF-8", async () => {
    const raw = message(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>",
      "To: sender@example.com",
      "Subject: Mail delivery failed: returning message to sender",
      "Date: Thu, 05 Mar 2026 10:00:00 +0000",
      `X-Failed-Recipients: ${ADDRESS}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Delivery failed permanently. No further attempts will be made.",
    );
    const [result] = await decode(Buffer.from(raw, "utf8"));
    expect(result?.recipient).toBe(ADDRESS);
  });

  it("stops an address at Japanese text beside it", () => {
    expect(firstAddress("宛先user@example.jpは存在しません")).toBe("user@example.jp");
  });
});

describe("bounces output of a UTF-8 recipient", () => {
  const raw = globalDsn(
    failedFields(String.raw`Final-Recipient: utf-8; j\x{F6}rg@b\x{FC}cher.example`),
  );

  it("prints the address in text", async () => {
    const run = await runCommand(["bounces", "-"], raw);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`\n${ADDRESS}  userunknown  550 5.1.1`);
  });

  it("writes the address in JSON", async () => {
    const run = await runCommand(["bounces", "-", "--format", "json"], raw);
    const results = JSON.parse(run.stdout) as BounceResult[];
    expect(schemaValidator("bounces.schema.json")(results)).toEqual([]);
    expect(results.map((result) => result.recipient)).toEqual([ADDRESS]);
  });
});
