import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const validate = schemaValidator("history.schema.json");
const tempDir = useTempDirs();

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse("2024-03-01T08:00:00Z");

function seed(db: string, lifted: boolean): void {
  const store = HistoryStore.open(db);
  const observe = (value: string, at: number) =>
    store.states.observe(
      {
        key: blockKey("gmail", "192.0.2.1"),
        kind: "block",
        subject: "gmail 192.0.2.1",
        value,
        at,
        runId: null,
        evidence: { source: "test" },
      },
      [],
    );
  observe("ok", START - DAY);
  observe("rate-limited", START);
  observe("blocked", START + DAY);
  if (lifted) observe("ok", START + 4 * DAY);
  store.close();
}

interface HistoryJson {
  incidents: Array<{ status: string; hours: number; subject: string }>;
  changes: Array<{ change: string; summary: string; at: string }>;
}

describe("delist history", () => {
  it("lists a closed incident and its changes", async () => {
    const db = join(tempDir(), "h.sqlite");
    seed(db, true);
    const result = await runCommand(["history", "--db", db, "--format", "json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as HistoryJson;
    expect(validate(json)).toEqual([]);
    expect(json.incidents).toHaveLength(1);
    expect(json.incidents[0]?.status).toBe("closed");
    expect(json.incidents[0]?.hours).toBe(96);
    expect(json.changes.map((c) => c.change)).toEqual([
      "block-seen",
      "block-changed",
      "block-lifted",
    ]);
  });

  it("exits 1 while an incident is open", async () => {
    const db = join(tempDir(), "h.sqlite");
    seed(db, false);
    const result = await runCommand(["history", "--db", db]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("#1 gmail 192.0.2.1 [block]: open since 2024-03-01T08:00:00Z");
    expect(result.stdout).toContain(
      "2024-03-02T08:00:00Z  Block changed: gmail 192.0.2.1 is now blocked.",
    );
  });

  it("filters by time", async () => {
    const db = join(tempDir(), "h.sqlite");
    seed(db, true);
    const result = await runCommand([
      "history",
      "--db",
      db,
      "--format",
      "json",
      "--since",
      "2024-03-03",
    ]);
    const json = JSON.parse(result.stdout) as HistoryJson;
    expect(json.changes.map((c) => c.change)).toEqual(["block-lifted"]);
    expect(json.incidents).toHaveLength(1);
    const bad = await runCommand(["history", "--db", db, "--since", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --since "yesterday"');
  });

  it("reads a missing database as empty", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand(["history", "--db", db, "--format", "json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as HistoryJson;
    expect(validate(json)).toEqual([]);
    expect(json.incidents).toEqual([]);
    expect(json.changes).toEqual([]);
    expect(result.stderr).toContain(`no history database at ${db} yet`);
    expect(existsSync(db)).toBe(false);
  });

  it("names a damaged database", async () => {
    const db = join(tempDir(), "h.sqlite");
    writeFileSync(db, "not a database\n".repeat(500));
    const result = await runCommand(["history", "--db", db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot open the history database ${db}`);
    expect(result.stderr).toContain("move it away to start a new history");
  });
});
