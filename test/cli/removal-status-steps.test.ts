import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ruleById } from "../../src/knowledge/rules/index.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();
const IP = "192.0.2.20";

/** Opens a block incident of `provider` for `IP` whose evidence names `ruleId`. */
function openBlock(db: string, provider: string, ruleId: string): void {
  const store = HistoryStore.open(db);
  store.states.observe(
    {
      key: blockKey(provider, IP),
      kind: "block",
      subject: `${provider} ${IP}`,
      value: "blocked",
      at: Date.now() - 60_000,
      runId: null,
      evidence: { source: "logs", reply: { text: "550 5.7.1 blocked", ruleId, stage: "rcpt" } },
    },
    [],
  );
  store.close();
}

interface StatusJson {
  statuses: Array<{ advice: string; ruleId: string | null; fix: string[] }>;
}

async function status(db: string): Promise<StatusJson["statuses"][number] | undefined> {
  const result = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
  return (JSON.parse(result.stdout) as StatusJson).statuses[0];
}

describe("removal status steps", () => {
  it("rule without removal says so", async () => {
    const rule = "gmail.direct-delivery-not-allowed";
    expect(ruleById(rule)?.removal).toBe(false);
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail", rule);
    const entry = await status(db);
    expect(entry?.advice).toContain("A removal request cannot lift this kind of block");
    expect(entry?.fix).toEqual(ruleById(rule)?.fix);
  });

  it("unknown rule keeps the general advice", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail", "no.such-rule");
    const entry = await status(db);
    expect(entry?.advice).toContain("Fix the cause first");
    expect(entry?.ruleId).toBeNull();
    expect(entry?.fix).toEqual([]);
  });

  it("lifted block has no steps", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail", "gmail.direct-delivery-not-allowed");
    const store = HistoryStore.open(db);
    store.states.observe(
      {
        key: blockKey("gmail", IP),
        kind: "block",
        subject: `gmail ${IP}`,
        value: "ok",
        at: Date.now(),
        runId: null,
        evidence: {},
      },
      [],
    );
    store.close();
    const entry = await status(db);
    expect(entry?.advice).toContain("The block lifted");
    expect(entry?.fix).toEqual([]);
  });
});
