import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

const DAY = 24 * 60 * 60 * 1000;
// Times with milliseconds, as the monitor and probes record them.
const START = Date.parse("2024-03-01T08:00:00.396Z");
const SUBJECT = "outlook 2001:db8::10";

/** Records a block of Outlook for 2001:db8::10 that lifts after four days, and one request. */
function seed(db: string): void {
  const store = HistoryStore.open(db);
  const observe = (value: string, at: number): void => {
    store.states.observe(
      {
        key: blockKey("outlook", "2001:db8::10"),
        kind: "block",
        subject: SUBJECT,
        value,
        at,
        runId: null,
        evidence: { source: "test" },
      },
      [],
    );
  };
  observe("ok", START - DAY);
  observe("blocked", START);
  store.incidents.addRemoval({
    provider: "outlook",
    ip: "2001:db8::10",
    incidentId: null,
    requestedAt: START + 3_252,
    forced: false,
    note: null,
  });
  observe("ok", START + 4 * DAY + 9_704);
  store.close();
}

function wideLines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 80);
}

describe("history and removal status text", () => {
  it("history prints times to the second", async () => {
    const db = join(tempDir(), "history.sqlite");
    seed(db);
    const result = await runCommand(["history", "--db", db]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/\d\d:\d\d:\d\d\.\d/);
    expect(result.stdout).toContain("2024-03-01T08:00:00Z  Block seen: outlook 2001:db8::10");
    expect(result.stdout).toContain("2024-03-05T08:00:10Z");
  });

  it("history gives long incidents in days", async () => {
    const db = join(tempDir(), "history.sqlite");
    seed(db);
    const result = await runCommand(["history", "--db", db, "--since", "2024-02-01"]);
    expect(result.stdout).toContain("(4.0 days)");
    expect(result.stdout).not.toContain(" h)");
  });

  it("history wraps at 80 columns", async () => {
    const db = join(tempDir(), "history.sqlite");
    seed(db);
    const result = await runCommand(["history", "--db", db, "--since", "2024-02-01"]);
    expect(result.stdout).toContain(`  #1 ${SUBJECT} [block]: 2024-03-01T08:00:00Z to`);
    expect(wideLines(result.stdout)).toEqual([]);
  });

  it("removal status prints times to the second", async () => {
    const db = join(tempDir(), "history.sqlite");
    seed(db);
    const args = ["--provider", "outlook", "--ip", "2001:db8::10", "--db", db];
    const result = await runCommand(["removal", "status", ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("opened 2024-03-01T08:00:00Z");
    expect(result.stdout).toContain("(4.0 days)");
    expect(result.stdout).toContain("The block lifted at 2024-03-05T08:00:10Z.");
    expect(result.stdout).not.toMatch(/\d\d:\d\d:\d\d\.\d/);
    expect(wideLines(result.stdout)).toEqual([]);
  });
});
