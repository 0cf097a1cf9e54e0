import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { NEVER } from "../monitor/harness.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

function request(db: string, extra: string[] = [], env: Record<string, string> = {}) {
  const args = ["removal", "request", "--provider", "yahoo", "--ip", "203.0.113.5"];
  return runCommand([...args, ...(db === "" ? [] : ["--db", db]), ...extra], "", env);
}

describe("--db folder", () => {
  it("missing folder is a usage error", async () => {
    const folder = join(tempDir(), "typo", "dir");
    const result = await request(join(folder, "h.sqlite"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the folder ${folder} does not exist`);
    expect(result.stderr).toContain("--db");
    expect(existsSync(join(folder, ".."))).toBe(false);
  });

  it("json rejection for a missing folder", async () => {
    const db = join(tempDir(), "typo", "h.sqlite");
    const result = await request(db, ["--format", "json"]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { rejection: { reason: string; message: string } };
    expect(json.rejection.reason).toBe("usage-error");
    expect(json.rejection.message).toContain("does not exist");
  });

  it("new file gets a note", async () => {
    const db = join(tempDir(), "h.sqlite");
    const first = await request(db);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`note: created a new history database at ${db}`);
    const second = await request(db, ["--force"]);
    expect(second.stderr).not.toContain("created a new history database");
  });

  it("default path creates its folder", async () => {
    const state = tempDir();
    const result = await request("", [], { XDG_STATE_HOME: state });
    expect(result.code).toBe(0);
    const db = join(state, "delist", "history.sqlite");
    expect(result.stderr).toContain(`created a new history database at ${db}`);
    expect(existsSync(db)).toBe(true);
  });

  it("store keeps creating folders by default", () => {
    const folder = join(tempDir(), "a", "b");
    HistoryStore.open(join(folder, "h.sqlite")).close();
    expect(existsSync(folder)).toBe(true);
  });

  it("store rejects a missing folder on request", () => {
    const folder = join(tempDir(), "a");
    const open = () => HistoryStore.open(join(folder, "h.sqlite"), { createDirectory: false });
    expect(open).toThrow(`the folder ${folder} does not exist`);
    mkdirSync(folder);
    expect(() => open().close()).not.toThrow();
  });

  it("monitor logs a new database as JSON", async () => {
    const dir = tempDir();
    const config = join(dir, "monitor.json");
    const schedules = { probes: NEVER, blocklists: NEVER, dns: NEVER, logs: NEVER };
    writeFileSync(config, JSON.stringify({ ips: ["203.0.113.5"], schedules }));
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--config", config, "--db", db, "--once"]);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines.filter((line) => !line.startsWith("{"))).toEqual([]);
    const created = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line["msg"] === "created a new history database");
    expect(created?.["database"]).toBe(db);
  });
});
