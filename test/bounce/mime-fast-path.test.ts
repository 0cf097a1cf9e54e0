import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { addressParser } from "postal-mime";
import { describe, expect, it } from "vitest";
import type { BounceMessage } from "../../src/bounce/mime.js";
import { plainMailboxAddress } from "../../src/bounce/mime-fast-parts.js";
import { parseWithFastPath } from "../../src/bounce/mime-fast-path.js";
import { parseWithPostalMime } from "../../src/bounce/mime-postal.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import * as fixture from "./fixtures.js";
import * as mtaFixture from "./mta-fixtures.js";

/** Line-end forms of each message: as stored, with CRLF, and with bare CR. */
const LINE_ENDS = {
  lf: (text: Buffer): Buffer => text,
  crlf: (text: Buffer): Buffer =>
    Buffer.from(text.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1"),
  cr: (text: Buffer): Buffer =>
    Buffer.from(text.toString("latin1").replace(/\r?\n/g, "\r"), "latin1"),
} as const;

// The corpus share the fast path must accept, in LF form (498 of 500 at the time of writing),
// so that a change that quietly sends messages back to postal-mime fails here and not only
// in the benchmark.
const MIN_ACCEPTED_SHARE = 0.95;

/** Returns the names of the fields where the fast path's result differs from postal-mime's. */
function differences(fast: BounceMessage, postal: BounceMessage): string[] {
  const names = Object.keys(postal) as (keyof BounceMessage)[];
  return names.filter((name) => JSON.stringify(fast[name]) !== JSON.stringify(postal[name]));
}

/** Compares both paths on one message and returns whether the fast path accepted it. */
async function expectSameResult(raw: Buffer | string, label: string): Promise<boolean> {
  const fast = parseWithFastPath(raw);
  if (fast === null) return false;
  const postal = await parseWithPostalMime(raw);
  expect(differences(fast, postal), label).toEqual([]);
  expect(fast, label).toEqual(postal);
  return true;
}

function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

const QUOTED_PRINTABLE = lines(
  "From: Mail Delivery System <mailer-daemon@mx.example.com>",
  "To: sender@example.com",
  "Subject: =?utf-8?q?Undeliverable=3A_caf=C3=A9?=",
  "Date: Tue, 03 Mar 2026 10:00:00 +0000",
  "Content-Type: text/plain; charset=iso-8859-1",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "Delivery to caf=E9@example.net failed: 550 5.1.1 unknown user =",
  "in this domain.   ",
  "Bad escape =ZZ stays.",
);

const BASE64_REPORT = lines(
  "From: postmaster@mx.example.com",
  "To: sender@example.com",
  "Subject: Delivery Status Notification (Failure)",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="b64"',
  "",
  "preamble",
  "--b64",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: base64",
  "",
  Buffer.from("Delivery to user@example.net failed.\r\n550 5.1.1 no such user\r\n").toString(
    "base64",
  ),
  "--b64",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mx.example.com",
  "",
  "Final-Recipient: rfc822; user@example.net",
  "Action: failed",
  "Status: 5.1.1",
  "",
  "--b64",
  "Content-Type: text/rfc822-headers",
  "",
  "From: sender@example.com",
  "To: user@example.net",
  "Subject: hello",
  "--b64--",
  "epilogue",
);

const HTML_ONLY = lines(
  "From: postmaster@mx.example.com",
  "To: sender@example.com",
  'Content-Type: multipart/alternative; boundary="alt"',
  "",
  "--alt",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<p>Delivery to user@example.net failed:</p><p>550 5.1.1 unknown&nbsp;user</p>",
  "--alt--",
);

// Flowed text (RFC 3676) with quoting, space stuffing, a signature and DelSp.
function flowed(delsp: string): string {
  return lines(
    "From: user@example.com",
    "To: sender@example.com",
    `Content-Type: text/plain; charset=us-ascii; format=flowed${delsp}`,
    "",
    "Begin forwarded message: ",
    "the bounce follows.",
    " From here on stuffed ",
    "and joined",
    "> 550 5.1.1 <user@example.net>... ",
    "> User unknown ",
    ">> deeper quote",
    "-- ",
    "signature ",
    "line",
  );
}

// Forms that the fast path leaves to postal-mime.
const LEFT_TO_POSTAL_MIME = {
  "RFC 2231 parameter": lines(
    "From: postmaster@mx.example.com",
    "Content-Type: text/plain; charset*=utf-8''%C3%A9",
    "",
    "body",
  ),
  "unknown charset": lines(
    "From: postmaster@mx.example.com",
    "Content-Type: text/plain; charset=x-example",
    "",
    "body",
  ),
  "multipart/digest": lines(
    "From: postmaster@mx.example.com",
    'Content-Type: multipart/digest; boundary="d"',
    "",
    "--d",
    "",
    "Subject: inner",
    "",
    "inner body",
    "--d--",
  ),
  "header without end": "From: postmaster@mx.example.com\nSubject: cut off",
} as const;

describe("MIME fast path", () => {
  const accepted = {
    "quoted-printable text": QUOTED_PRINTABLE,
    "base64 multipart/report": BASE64_REPORT,
    "HTML-only alternative": HTML_ONLY,
    "flowed text": flowed(""),
    "flowed text with DelSp": flowed("; delsp=yes"),
    "Postfix DSN": fixture.POSTFIX_DSN,
    "ARF report": fixture.ARF,
    "qmail text": fixture.QMAIL,
    "OpenSMTPD report": mtaFixture.OPENSMTPD_DELAY,
  } as const;

  for (const [name, text] of Object.entries(accepted)) {
    it(`matches postal-mime on ${name}`, async () => {
      for (const [form, convert] of Object.entries(LINE_ENDS)) {
        const raw = convert(Buffer.from(text, "utf8"));
        expect(await expectSameResult(raw, `${name} (${form})`), form).toBe(true);
      }
    });
  }

  it("decodes quoted-printable as postal-mime does", async () => {
    const message = parseWithFastPath(QUOTED_PRINTABLE);
    expect(message?.subject).toBe("Undeliverable: café");
    expect(message?.text).toContain("café@example.net failed: 550 5.1.1 unknown user in this");
    expect(message?.text).toContain("Bad escape =ZZ stays.");
  });

  it("unwraps flowed text", () => {
    const plain = parseWithFastPath(flowed(""))?.text.split("\n");
    expect(plain?.[0]).toBe("Begin forwarded message: the bounce follows.");
    expect(plain?.[1]).toBe("From here on stuffed and joined");
    expect(plain?.[2]).toBe("> 550 5.1.1 <user@example.net>... User unknown ");
    expect(plain?.[3]).toBe(">> deeper quote");
    expect(plain?.[4]).toBe("-- ");
    expect(plain?.[5]).toBe("signature line");

    const deleted = parseWithFastPath(flowed("; delsp=yes"))?.text.split("\n");
    expect(deleted?.[0]).toBe("Begin forwarded message:the bounce follows.");
  });

  it("finds the report parts of a multipart/report", () => {
    const message = parseWithFastPath(BASE64_REPORT);
    expect(message?.text).toBe("Delivery to user@example.net failed.\n550 5.1.1 no such user\n");
    expect(message?.deliveryStatus).toContain("Final-Recipient: rfc822; user@example.net");
    expect(message?.original).toContain("Subject: hello");
    expect(message?.feedbackReport).toBeNull();
  });

  for (const [name, text] of Object.entries(LEFT_TO_POSTAL_MIME)) {
    it(`leaves ${name} to postal-mime`, () => {
      expect(parseWithFastPath(text)).toBeNull();
    });
  }
});

// Address field values, and whether the fast path reads them without postal-mime's parser.
const ADDRESS_FIELDS = [
  ["user@example.com", true],
  ["<MAILER-DAEMON@mx.example.com>", true],
  ["Mail Delivery System <mailer-daemon@mx.example.com>", true],
  ["a.b-c+tag@sub.example.org", true],
  ["post.master@example.net.", true],
  ['"Delivery, System" <postmaster@example.com>', true],
  ['""<postmaster@example.com>', true],
  ["postmaster@example.com (Mail Delivery System)", true],
  ["postmaster@example.com (Mail (Delivery) System)", false],
  ["postmaster@example.com (user@example.org)", false],
  ['"Delivery \\"System\\"" <postmaster@example.com>', false],
  ['Mail "Delivery" <postmaster@example.com>', false],
  ["MAILER-DAEMON <>", false],
  ["=?utf-8?q?Syst=C3=A8me?= <postmaster@example.com>", false],
  ["user@example.com, other@example.com", false],
  ["undisclosed-recipients:;", false],
  ["user@[192.0.2.1]", false],
  ["user@", false],
  ["Name <@example.com>", false],
] as const;

describe("plainMailboxAddress", () => {
  for (const [value, plain] of ADDRESS_FIELDS) {
    it(`reads ${value} ${plain ? "itself" : "through postal-mime"}`, () => {
      const address = plainMailboxAddress(value);
      expect(address !== null).toBe(plain);
      if (address === null) return;
      const parsed = addressParser(value)[0];
      expect(parsed).toBeDefined();
      expect(parsed !== undefined && "address" in parsed).toBe(true);
      if (parsed === undefined || !("address" in parsed)) return;
      expect(parsed.address).toBe(address);
    });
  }
});

const root = corpusRoot();

describe.skipIf(root === null)("MIME fast path on the bounce corpus", () => {
  it("gives postal-mime's result wherever it accepts a message", async () => {
    const directory = corpusPath(root ?? "", "bounces", "sisimai", "maildir", "bsd");
    const names = readdirSync(directory).filter((name) => name.endsWith(".eml"));
    const counts = Object.fromEntries(Object.keys(LINE_ENDS).map((form) => [form, 0]));
    for (const name of names) {
      const stored = readFileSync(join(directory, name));
      for (const [form, convert] of Object.entries(LINE_ENDS)) {
        if (await expectSameResult(convert(stored), `${name} (${form})`)) {
          counts[form] = (counts[form] ?? 0) + 1;
        }
      }
    }

    const summary = Object.entries(counts).map(([form, count]) => `${count} ${form}`);
    process.stdout.write(`fast path accepted ${summary.join(", ")} of ${names.length}\n`);
    expect(names.length).toBe(500);
    expect(counts["lf"]).toBeGreaterThanOrEqual(names.length * MIN_ACCEPTED_SHARE);
  }, 120_000);
});
