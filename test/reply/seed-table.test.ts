import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Category } from "../../src/knowledge/categories.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { splitPastedReplies } from "../../src/reply/pasted-replies.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";

// Expected category of each of the 57 rows of replies/seed-table.tsv, in file order, decided
// from the meaning smtp-replies.md gives each Gmail reply (not from the classifier's output).
const EXPECTED: readonly (readonly [number, string, Category])[] = [
  [421, "4.4.5", "transient"], // server busy
  [421, "4.7.0", "recipient-policy"], // IP not on the recipient domain's allowlist
  [421, "4.7.0", "reputation"], // old wording of the IP rate limit
  [421, "4.7.0", "transient"], // temporary system problem
  [421, "4.7.0", "tls"], // TLS required for RCPT domain
  [421, "4.7.0", "rate-limit"], // try again later, closing connection
  [450, "4.2.1", "rate-limit"], // recipient receiving mail too quickly
  [450, "4.2.1", "rate-limit"], // recipient receiving mail at a rate …
  [450, "4.2.1", "sender-account"], // peak SMTP relay limit
  [451, "4.3.0", "transient"], // temporarily rejected
  [451, "4.3.0", "protocol"], // multiple destination domains per transaction
  [451, "4.4.2", "transient"], // timeout
  [451, "4.5.0", "protocol"], // SMTP protocol violation
  [452, "4.2.2", "recipient"], // over quota
  [452, "4.5.3", "rate-limit"], // domain policy size per transaction
  [452, "4.5.3", "rate-limit"], // too many recipients
  [454, "4.5.0", "protocol"], // pipelining after STARTTLS
  [454, "4.7.0", "transient"], // cannot authenticate, temporary problem
  [454, "5.5.1", "protocol"], // STARTTLS repeated
  [501, "5.5.2", "protocol"], // cannot decode response
  [501, "5.5.4", "protocol"], // HELO/EHLO argument invalid
  [502, "5.5.1", "protocol"], // too many unrecognized commands
  [502, "5.5.1", "protocol"], // unimplemented command
  [502, "5.5.1", "protocol"], // unrecognized command
  [503, "5.5.1", "protocol"], // EHLO/HELO first
  [503, "5.5.1", "protocol"], // MAIL first
  [503, "5.5.1", "protocol"], // RCPT first
  [503, "5.7.0", "protocol"], // no identity changes
  [504, "5.7.4", "sender-account"], // unrecognized authentication type
  [530, "5.5.1", "sender-account"], // authentication required
  [530, "5.7.0", "tls"], // must issue STARTTLS first
  [535, "5.5.4", "protocol"], // AUTH argument not permitted
  [535, "5.7.1", "sender-account"], // app password required
  [535, "5.7.1", "sender-account"], // log in with a web browser
  [535, "5.7.1", "sender-account"], // username and password not accepted
  [550, "5.1.1", "recipient"], // account does not exist
  [550, "5.2.1", "recipient"], // account disabled
  [550, "5.2.1", "rate-limit"], // recipient receiving mail at a rate …
  [550, "5.4.5", "sender-account"], // daily sending quota
  [550, "5.4.5", "sender-account"], // daily relay limit for user
  [550, "5.7.0", "sender-account"], // mail relay denied
  [550, "5.7.0", "sender-account"], // mail sending denied
  [550, "5.7.1", "sender-account"], // email quota exceeded
  [550, "5.7.1", "sender-account"], // invalid credentials for relay
  [550, "5.7.1", "reputation"], // old wording of the IP block
  [550, "5.7.1", "content"], // likely unsolicited mail
  [550, "5.7.1", "reputation"], // IP not authorised to send directly
  [550, "5.7.1", "recipient-policy"], // a policy prohibits the mail
  [550, "5.7.1", "authentication"], // unauthenticated email not accepted
  [550, "5.7.1", "sender-account"], // daily relay limit for customer
  [552, "5.2.2", "recipient"], // over quota
  [552, "5.2.3", "message-format"], // message size limit
  [553, "5.1.2", "recipient"], // recipient domain not found
  [554, "5.6.0", "message-format"], // malformed message
  [554, "5.6.0", "message-format"], // more than 50 hops
  [554, "5.7.0", "protocol"], // too many unauthenticated commands
  [555, "5.5.2", "protocol"], // syntax error
];

const root = corpusRoot();

describe.skipIf(root === null)("Gmail seed table", () => {
  // Skipped suites still run their bodies to collect tests, so read nothing without a corpus.
  const text =
    root === null ? "" : readFileSync(corpusPath(root, "replies", "seed-table.tsv"), "utf8");
  const rows = text
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => line.split("\t"));
  const classifier = createReplyClassifier();

  it("has one expectation per row", () => {
    expect(rows).toHaveLength(EXPECTED.length);
  });

  it("splits the rows pasted one per line", () => {
    const replies = rows.map(([code, enhanced, text]) => `${code} ${enhanced} ${text}`);
    // Each piece loses the blanks at its end, which some rows have.
    const trimmed = replies.map((reply) => reply.trimEnd());
    expect(splitPastedReplies(replies.join("\n"))).toEqual(trimmed);
  });

  rows.forEach(([code, enhanced, text], index) => {
    const [expectedCode, expectedEnhanced, expectedCategory] = EXPECTED[index] ?? [
      0,
      "",
      "unknown",
    ];
    it(`row ${index + 1}: ${code} ${enhanced} ${(text ?? "").slice(0, 40)}`, () => {
      const reply = classifier.explain(`${code} ${enhanced} ${text}`, {
        relayHost: "gmail-smtp-in.l.google.com",
        recipient: "user1@gmail.com",
      });
      expect(reply.replyCode).toBe(expectedCode);
      expect(reply.enhancedStatus).toBe(expectedEnhanced);
      expect(reply.provider).toBe("gmail");
      expect(reply.category).toBe(expectedCategory);
      expect(reply.ruleId).toMatch(/^gmail\./);
    });
  });
});
