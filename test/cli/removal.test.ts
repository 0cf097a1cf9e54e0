import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const validate = schemaValidator("removal.schema.json");
const tempDir = useTempDirs();
const DAY = 24 * 60 * 60 * 1000;

interface StatusJson {
  statuses: Array<{
    provider: string;
    ip: string;
    incident: { id: number; status: string } | null;
    daysSinceRequest: number | null;
    canRequestNow: boolean;
    nextRequestAllowedAt: string | null;
    advice: string;
  }>;
}

function openIncident(db: string, at: number): void {
  const store = HistoryStore.open(db);
  store.states.observe(
    {
      key: blockKey("gmail", "192.0.2.1"),
      kind: "block",
      subject: "gmail 192.0.2.1",
      value: "blocked",
      at,
      runId: null,
      evidence: {},
    },
    [],
  );
  store.close();
}

describe("delist removal request", () => {
  it("records a request and prints the form", async () => {
    const db = join(tempDir(), "h.sqlite");
    openIncident(db, Date.now() - DAY);
    const args = ["removal", "request", "--provider", "gmail", "--ip", "192.0.2.1", "--db", db];
    const first = await runCommand([...args, "--format", "json"]);
    expect(first.code).toBe(0);
    const json = JSON.parse(first.stdout) as {
      request: { incidentId: number };
      form: { url: string };
    };
    expect(validate(json)).toEqual([]);
    expect(json.request.incidentId).toBe(1);
    expect(json.form.url).toContain("support.google.com");

    const second = await runCommand(args);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("at most once every 14 days");
    expect(second.stderr).toContain("--force");

    const forced = await runCommand([...args, "--force", "--note", "ticket 42"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("warning");
    expect(forced.stdout).toContain(
      "Recorded removal request #2 for gmail 192.0.2.1 (incident #1)",
    );
    expect(forced.stdout).toContain("Include:");
  });

  it("allows a request after 14 days", async () => {
    const db = join(tempDir(), "h.sqlite");
    const store = HistoryStore.open(db);
    store.incidents.addRemoval({
      provider: "gmail",
      ip: "192.0.2.1",
      incidentId: null,
      requestedAt: Date.now() - 15 * DAY,
      forced: false,
      note: null,
    });
    store.close();
    const result = await runCommand([
      "removal",
      "request",
      "--provider",
      "gmail",
      "--ip",
      "192.0.2.1",
      "--db",
      db,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("rejects an unknown provider and a bad IP", async () => {
    const db = join(tempDir(), "h.sqlite");
    const provider = await runCommand([
      "removal",
      "request",
      "--provider",
      "aol",
      "--ip",
      "192.0.2.1",
      "--db",
      db,
    ]);
    expect(provider.code).toBe(2);
    const ip = await runCommand([
      "removal",
      "request",
      "--provider",
      "gmail",
      "--ip",
      "x",
      "--db",
      db,
    ]);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toContain('invalid --ip "x"');
  });
});

describe("delist removal status", () => {
  it("reports days since the request", async () => {
    const db = join(tempDir(), "h.sqlite");
    openIncident(db, Date.now() - 5 * DAY);
    const store = HistoryStore.open(db);
    store.incidents.addRemoval({
      provider: "gmail",
      ip: "192.0.2.1",
      incidentId: 1,
      requestedAt: Date.now() - 3 * DAY - 1000,
      forced: false,
      note: null,
    });
    store.close();
    const result = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(validate(json)).toEqual([]);
    expect(json.statuses).toHaveLength(1);
    const status = json.statuses[0];
    expect(status?.incident?.status).toBe("open");
    expect(status?.daysSinceRequest).toBe(3);
    expect(status?.canRequestNow).toBe(false);
    expect(status?.advice).toContain("requested 3 days ago");

    const text = await runCommand(["removal", "status", "--db", db]);
    expect(text.stdout).toContain("gmail 192.0.2.1");
    expect(text.stdout).toContain("Last probe:    none");
  });

  it("matches a mapped --ip to IPv4", async () => {
    const db = join(tempDir(), "h.sqlite");
    openIncident(db, Date.now() - 5 * DAY);

    const result = await runCommand([
      "removal",
      "status",
      "--ip",
      "::ffff:192.0.2.1",
      "--db",
      db,
      "--format",
      "json",
    ]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(validate(json)).toEqual([]);
    expect(json.statuses.map((status) => status.ip)).toEqual(["192.0.2.1"]);
    expect(json.statuses[0]?.incident?.status).toBe("open");
  });

  it("says when nothing is recorded", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand(["removal", "status", "--db", db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("No block or removal request recorded.\n");
    expect(result.stderr).toContain(`no history database at ${db} yet`);
    expect(existsSync(db)).toBe(false);
  });
});

describe("removal --provider", () => {
  it("accepts any letter case", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "delist-case-")), "history.sqlite");
    const result = await runCommand([
      "removal",
      "request",
      "--provider",
      "Gmail",
      "--ip",
      "192.0.2.1",
      "--db",
      db,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Gmail");
  });

  it("rejects an unknown provider", async () => {
    const result = await runCommand([
      "removal",
      "request",
      "--provider",
      "hotmail",
      "--ip",
      "192.0.2.1",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are gmail");
  });
});
