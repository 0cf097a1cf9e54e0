import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Category } from "../../src/knowledge/categories.js";
import type { ProviderId } from "../../src/knowledge/providers.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { splitPastedReplies } from "../../src/reply/pasted-replies.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";

interface RealReply {
  readonly id: string;
  readonly text: string;
  readonly provider: string;
  readonly code: number | null;
  readonly enhanced: string | null;
  readonly category: string;
}

// The corpus names providers by company and product; "google" covers Gmail and Workspace.
const PROVIDERS: Readonly<Record<string, readonly ProviderId[]>> = {
  google: ["gmail", "google-workspace"],
  microsoft_outlook_com: ["outlook"],
  microsoft_exchange_online: ["exchange-online"],
  yahoo: ["yahoo"],
  apple_icloud: ["icloud"],
  webde_gmx: ["gmx"],
  yandex: ["yandex"],
  orange_fr: ["orange"],
};

// The corpus vocabulary mapped to delist's categories. DMARC is part of authentication; a
// provider's own throttling or block list is reputation; a per-mailbox limit is rate-limit;
// the Yandex case is its submission server's spam verdict on the message, so content.
const CATEGORIES: Readonly<Record<string, Category>> = {
  rate_limit_reputation: "reputation",
  block_reputation: "reputation",
  blocklist_thirdparty: "blocklist",
  auth: "authentication",
  dmarc: "authentication",
  ptr_rdns: "reverse-dns",
  tls: "tls",
  content_spam: "content",
  recipient_rate: "rate-limit",
  outbound_relay_filter: "content",
};

const root = corpusRoot();

describe.skipIf(root === null)("real pasted replies", () => {
  // Skipped suites still run their bodies to collect tests, so read nothing without a corpus.
  const text =
    root === null ? "" : readFileSync(corpusPath(root, "replies", "real-replies.jsonl"), "utf8");
  const cases = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RealReply);
  const classifier = createReplyClassifier();

  it("has the 20 cases", () => {
    expect(cases).toHaveLength(20);
  });

  for (const testCase of cases) {
    it(`${testCase.id} (${testCase.provider}, ${testCase.category})`, () => {
      const reply = classifier.explain(testCase.text);
      expect(reply.replyCode).toBe(testCase.code);
      expect(reply.enhancedStatus).toBe(testCase.enhanced);
      expect(PROVIDERS[testCase.provider]).toContain(reply.provider);
      expect(reply.category).toBe(CATEGORIES[testCase.category]);
      expect(reply.ruleId).not.toMatch(/^generic\./);
    });
  }

  // Each case is one reply, however its lines were broken, so `delist explain` must not split it.
  it.each(cases.map((testCase) => [testCase.id, testCase.text]))(
    "%s stays one reply when pasted",
    (_id, text) => {
      expect(splitPastedReplies(text)).toEqual([text]);
    },
  );
});
