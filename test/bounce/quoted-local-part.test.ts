import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { firstAddress, normaliseAddress } from "../../src/bounce/formats/address.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";
import { message } from "./fixtures.js";

// A local part in double quotes (RFC 5321 section 4.1.2) may contain characters that a bare one
// may not, such as two dots in a row or a blank. The quotes are part of the address.
const DOTS = '"john..doe"@example.org';
const BLANK = '"john doe"@example.org';
// A backslash pair (quoted-pair) puts a double quote inside the quotes.
const ESCAPED_QUOTE = String.raw`"a\"b"@example.org`;

/** Builds a Postfix DSN with one failed recipient whose address is `address`. */
function postfixDsn(address: string): string {
  return message(
    "From: MAILER-DAEMON@mx1.example.com (Mail Delivery System)",
    "To: alice@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    "",
    "--B1",
    "Content-Type: text/plain",
    "",
    `<${address}>: host mx.example.org[192.0.2.50] said: 550 5.1.1`,
    `    <${address}>... User Unknown (in reply to RCPT TO command)`,
    "",
    "--B1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx1.example.com",
    "",
    `Final-Recipient: rfc822; ${address}`,
    "Action: failed",
    "Status: 5.1.1",
    `Diagnostic-Code: smtp; 550 5.1.1 <${address}>... User Unknown`,
    "",
    "--B1--",
  );
}

async function decode(raw: string): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "quoted.eml", createReplyClassifier())).results;
}

describe("normaliseAddress with a quoted local part", () => {
  it.each([DOTS, BLANK, ESCAPED_QUOTE])("keeps the quotes of %s", (address) => {
    expect(normaliseAddress(address)).toBe(address);
    expect(normaliseAddress(`<${address}>`)).toBe(address);
    expect(normaliseAddress(`<${address}>...`)).toBe(address);
  });

  it("strips quotes around a whole address", () => {
    expect(normaliseAddress('"user1@example.org"')).toBe("user1@example.org");
    expect(normaliseAddress("'user1@example.org'")).toBe("user1@example.org");
  });

  it("finds the quoted address in text", () => {
    expect(firstAddress(`550 5.1.1 <${DOTS}>... User Unknown`)).toBe(DOTS);
  });

  it("finds a quoted-pair address in text", () => {
    expect(firstAddress(`550 5.1.1 <${ESCAPED_QUOTE}>... User Unknown`)).toBe(ESCAPED_QUOTE);
  });
});

describe("bounces with a quoted local part", () => {
  it.each([DOTS, BLANK, ESCAPED_QUOTE])("decodes the recipient %s", async (address) => {
    const results = await decode(postfixDsn(address));
    expect(results).toHaveLength(1);
    expect(results[0]?.recipient).toBe(address);
    expect(results[0]?.permanent).toBe(true);
  });

  it("prints the recipient in bounces", async () => {
    const result = await runCommand(["bounces", "-f", "json", "-"], postfixDsn(DOTS));
    const output = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(output.map((item) => item["recipient"])).toEqual([DOTS]);
  });

  it("lists the recipient in explain", async () => {
    const result = await runCommand(["explain", "-f", "json", "-"], postfixDsn(DOTS));
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["recipients"]).toEqual([DOTS]);
  });
});
