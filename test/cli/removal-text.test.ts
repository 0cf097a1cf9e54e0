import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REMOVAL_PROVIDERS } from "../../src/diagnose/removal-forms.js";
import { HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

function wideLines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 80);
}

describe("delist removal text", () => {
  it("wraps every provider's request at 80 columns", async () => {
    for (const provider of REMOVAL_PROVIDERS) {
      // One database each, because Gmail and Google Workspace share one form and its wait.
      const db = join(tempDir(), "history.sqlite");
      const args = ["removal", "request", "--provider", provider, "--ip", "203.0.113.5"];
      const result = await runCommand([...args, "--db", db]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Include:\n  - ");
      expect(wideLines(result.stdout)).toEqual([]);
    }
  });

  it("wraps the status at 80 columns", async () => {
    const db = join(tempDir(), "history.sqlite");
    addProbe(
      db,
      "The receiver deferred the sender with 421 4.7.0 at RCPT TO: " + "word ".repeat(30),
    );
    const args = ["--provider", "yahoo", "--ip", "203.0.113.5", "--db", db];
    expect((await runCommand(["removal", "request", ...args])).code).toBe(0);
    const status = await runCommand(["removal", "status", ...args]);
    expect(status.stdout).toContain("  Last request:  ");
    expect(status.stdout).toContain("rate-limited: The receiver");
    expect(wideLines(status.stdout)).toEqual([]);
  });
});

/** Stores a rate-limited probe of Yahoo for 203.0.113.5 with a long detail sentence. */
function addProbe(db: string, detail: string): void {
  const store = HistoryStore.open(db);
  const at = Date.now() - 60_000;
  const runId = store.runs.start("probe", at, { target: "yahoo.com from default" });
  store.probes.add(runId, {
    target: "yahoo.com from default",
    recipient: "someone@yahoo.com",
    sender: "",
    provider: "yahoo",
    ip: "203.0.113.5",
    mxHost: null,
    mxAddress: null,
    mxPort: null,
    status: "rate-limited",
    detail,
    forced: false,
    startedAt: at,
    finishedAt: at,
    result: {},
  });
  store.runs.finish(runId, at, "problems");
  store.close();
}
