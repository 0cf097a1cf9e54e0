import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  REMOVAL_FORMS,
  YAHOO_DEFERRAL_RULE,
  YAHOO_PERMANENT_BLOCK_RULE,
} from "../../src/diagnose/removal-forms.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();
const validateRemoval = schemaValidator("removal.schema.json");
const IP = "192.0.2.30";

/** The reply that the evidence of each block state names, as a log window records it. */
const BLOCK_REPLIES: Record<string, string> = {
  "rate-limited":
    "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected volume or user complaints",
  blocked:
    "553 5.7.2 [TSS09] All messages from 192.0.2.30 will be permanently deferred; Retrying will NOT succeed.",
  ok: "250 ok dirdel",
};

/** Stores `values` in turn as the block state of `provider` for `IP`, one minute apart. */
function recordStates(db: string, provider: string, values: readonly string[]): void {
  const store = HistoryStore.open(db);
  const start = Date.now() - values.length * 60_000;
  values.forEach((value, index) => {
    store.states.observe(
      {
        key: blockKey(provider, IP),
        kind: "block",
        subject: `${provider} ${IP}`,
        value,
        at: start + index * 60_000,
        runId: null,
        evidence: { source: "logs", reply: { text: BLOCK_REPLIES[value] ?? "", ruleId: null } },
      },
      [],
    );
  });
  store.close();
}

/**
 * Records a request for `provider` after the block states `states`, once with `--format json`
 * and once as text, each in a database of its own because a second request would be too soon.
 * Returns the form rule of the JSON, the text with its line breaks joined, and the schema
 * errors of the JSON.
 */
async function requestRule(
  provider: string,
  states: readonly string[],
): Promise<{ json: string; text: string; schemaErrors: string[] }> {
  const args = ["removal", "request", "--provider", provider, "--ip", IP];
  const jsonDb = join(tempDir(), "json.sqlite");
  const textDb = join(tempDir(), "text.sqlite");
  recordStates(jsonDb, provider, states);
  recordStates(textDb, provider, states);
  const json = await runCommand([...args, "--db", jsonDb, "--format", "json"]);
  const text = await runCommand([...args, "--db", textDb]);
  const parsed = JSON.parse(json.stdout) as { form: { rule: string } };
  return {
    json: parsed.form.rule,
    text: text.stdout.replace(/\s+/g, " "),
    schemaErrors: validateRemoval(parsed),
  };
}

describe("removal request rule of Yahoo", () => {
  it("unknown block gives both rules", async () => {
    const rule = await requestRule("yahoo", []);

    expect(rule.json).toBe(REMOVAL_FORMS.yahoo.rule);
    expect(rule.json).toContain("deferrals (4xx replies such as TSS04) usually end by themselves");
    expect(rule.json).toContain("permanent blocks (5xx replies such as TSS09) do not end");
    expect(rule.text).toContain(REMOVAL_FORMS.yahoo.rule);
    expect(rule.schemaErrors).toEqual([]);
  });

  it("permanent block gets its rule", async () => {
    const rule = await requestRule("yahoo", ["blocked"]);

    expect(rule.json).toBe(YAHOO_PERMANENT_BLOCK_RULE);
    expect(rule.text).toContain(YAHOO_PERMANENT_BLOCK_RULE);
    expect(rule.text).not.toContain("usually end by themselves");
    expect(rule.schemaErrors).toEqual([]);
  });

  it("deferrals get their rule", async () => {
    const rule = await requestRule("yahoo", ["rate-limited"]);

    expect(rule.json).toBe(YAHOO_DEFERRAL_RULE);
    expect(rule.text).toContain(YAHOO_DEFERRAL_RULE);
    expect(rule.text).not.toContain("permanent blocks");
  });

  it("deferrals turned permanent follow", async () => {
    const rule = await requestRule("yahoo", ["rate-limited", "blocked"]);

    expect(rule.json).toBe(YAHOO_PERMANENT_BLOCK_RULE);
  });

  it("lifted block gives both rules", async () => {
    const rule = await requestRule("yahoo", ["blocked", "ok"]);

    expect(rule.json).toBe(REMOVAL_FORMS.yahoo.rule);
  });

  it("Gmail keeps its one rule", async () => {
    const rule = await requestRule("gmail", ["blocked"]);

    expect(rule.json).toBe(REMOVAL_FORMS.gmail.rule);
  });
});
