import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REMOVAL_FORMS, REMOVAL_PROVIDERS } from "../../src/diagnose/removal-forms.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { writeRemovalHistory } from "../helpers/removal-history.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const validate = schemaValidator("removal.schema.json");
const tempDir = useTempDirs();
const IP = "203.0.113.5";
const GOOGLE_FORM = REMOVAL_FORMS.gmail.url;

function request(provider: string, db: string, ...extra: string[]) {
  return runCommand([
    "removal",
    "request",
    "--provider",
    provider,
    "--ip",
    IP,
    "--db",
    db,
    ...extra,
  ]);
}

interface StatusJson {
  statuses: Array<{
    provider: string;
    ip: string;
    lastRequest: { id: number; provider: string; at: string; forced: boolean } | null;
    requests: number;
    canRequestNow: boolean;
    nextRequestAllowedAt: string | null;
    advice: string;
  }>;
}

/** Opens a block incident of `provider` for `IP`, as the monitor records one. */
function openBlock(db: string, provider: string): void {
  const store = HistoryStore.open(db);
  store.states.observe(
    {
      key: blockKey(provider, IP),
      kind: "block",
      subject: `${provider} ${IP}`,
      value: "blocked",
      at: Date.now() - 60_000,
      runId: null,
      evidence: {},
    },
    [],
  );
  store.close();
}

describe("removal request on a shared form", () => {
  it("workspace waits for a gmail request", async () => {
    const db = join(tempDir(), "h.sqlite");
    expect((await request("gmail", db)).code).toBe(0);

    const second = await request("google-workspace", db);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain(`the form ${GOOGLE_FORM} was already sent for ${IP}`);
    expect(second.stderr).toContain(`request #1 for gmail ${IP} at `);
    expect(second.stderr).toContain("which uses the same form as google-workspace");
    expect(second.stderr).toContain("at most once every 14 days");
    expect(second.stderr).toMatch(
      /the next request is allowed from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\./,
    );
    expect(second.stderr).toMatch(/request #1 for gmail [^ ]+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,/);

    const store = HistoryStore.open(db);
    const recorded = store.incidents.removals(null, null);
    store.close();
    expect(recorded.map((entry) => entry.provider)).toEqual(["gmail"]);
  });

  it("gmail waits for a workspace request", async () => {
    const db = writeRemovalHistory(join(tempDir(), "h.sqlite"), [
      { provider: "google-workspace", ip: IP, daysAgo: 13 },
    ]);
    const result = await request("gmail", db);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`request #1 for google-workspace ${IP}`);
    expect(result.stderr).toContain("which uses the same form as gmail");
  });

  it("forced request names the earlier one", async () => {
    const db = join(tempDir(), "h.sqlite");
    expect((await request("gmail", db)).code).toBe(0);
    const forced = await request("google-workspace", db, "--force");
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("warning");
    expect(forced.stderr).toContain(`request #1 for gmail ${IP}`);
    expect(forced.stdout).toContain("Recorded removal request #2 for google-workspace");
  });

  it("gmail request links the workspace incident", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "google-workspace");
    const result = await request("gmail", db);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`gmail ${IP} (incident #1)`);
    expect(result.stdout).not.toContain("no recorded incident");

    const json = await request("gmail", db, "--force", "--format", "json");
    const parsed = JSON.parse(json.stdout) as { request: { incidentId: number | null } };
    expect(validate(parsed)).toEqual([]);
    expect(parsed.request.incidentId).toBe(1);
  });

  it("own open incident comes first", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "google-workspace");
    openBlock(db, "gmail");
    const result = await request("gmail", db);
    expect(result.stdout).toContain(`gmail ${IP} (incident #2)`);
  });

  it("shared form is free after 14 days", async () => {
    const db = writeRemovalHistory(join(tempDir(), "h.sqlite"), [
      { provider: "gmail", ip: IP, daysAgo: 15 },
    ]);
    const result = await request("google-workspace", db);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("other forms keep their own clock", async () => {
    const db = join(tempDir(), "h.sqlite");
    expect((await request("gmail", db)).code).toBe(0);
    for (const provider of ["outlook", "exchange-online", "yahoo"]) {
      const result = await request(provider, db);
      expect(result.code, provider).toBe(0);
    }
  });

  it("another IP keeps its own clock", async () => {
    const db = writeRemovalHistory(join(tempDir(), "h.sqlite"), [
      { provider: "gmail", ip: "203.0.113.6", daysAgo: 1 },
    ]);
    expect((await request("google-workspace", db)).code).toBe(0);
  });

  it("every pair sharing a url shares a clock", async () => {
    for (const first of REMOVAL_PROVIDERS) {
      for (const second of REMOVAL_PROVIDERS) {
        const db = join(tempDir(), "h.sqlite");
        expect((await request(first, db)).code).toBe(0);
        const shared = REMOVAL_FORMS[first].url === REMOVAL_FORMS[second].url;
        const result = await request(second, db);
        expect(result.code, `${first} then ${second}`).toBe(shared ? 2 : 0);
      }
    }
  });
});

describe("removal status on a shared form", () => {
  it("workspace request delays gmail", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail");
    writeRemovalHistory(db, [{ provider: "google-workspace", ip: IP, daysAgo: 3 }]);

    const result = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(validate(json)).toEqual([]);
    const gmail = json.statuses.find((status) => status.provider === "gmail");
    expect(gmail?.lastRequest).not.toBeNull();
    expect(gmail?.requests).toBe(1);
    expect(gmail?.canRequestNow).toBe(false);
    expect(gmail?.nextRequestAllowedAt).not.toBeNull();
    expect(gmail?.advice).toContain(`request #1 for google-workspace ${IP}`);
    expect(gmail?.advice).toContain("which uses the same form as gmail");

    const workspace = json.statuses.find((status) => status.provider === "google-workspace");
    expect(workspace?.canRequestNow).toBe(false);
    expect(workspace?.nextRequestAllowedAt).toBe(gmail?.nextRequestAllowedAt);
  });

  it("lastRequest names the blocking request", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail");
    writeRemovalHistory(db, [
      { provider: "gmail", ip: IP, daysAgo: 9 },
      { provider: "google-workspace", ip: IP, daysAgo: 3 },
    ]);

    const result = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    const json = JSON.parse(result.stdout) as StatusJson;
    const gmail = json.statuses.find((status) => status.provider === "gmail");

    expect(validate(json)).toEqual([]);
    expect(gmail?.lastRequest?.provider).toBe("google-workspace");
    expect(gmail?.lastRequest?.id).toBe(2);
    expect(gmail?.lastRequest?.forced).toBe(false);
    expect(gmail?.requests).toBe(2);
    expect(gmail?.advice).toContain(`request #${gmail?.lastRequest?.id} for google-workspace`);
  });

  it("schema requires lastRequest provider and id", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "gmail");
    writeRemovalHistory(db, [{ provider: "gmail", ip: IP, daysAgo: 3 }]);
    const result = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(validate(json)).toEqual([]);

    const status = json.statuses[0];
    const { provider, id, ...rest } = status?.lastRequest ?? {};
    for (const [field, lastRequest] of [
      ["provider", { id, ...rest }],
      ["id", { provider, ...rest }],
    ] as const) {
      const stripped = { ...json, statuses: [{ ...status, lastRequest }] };
      expect(validate(stripped), field).not.toEqual([]);
    }
  });

  it("outlook request leaves exchange free", async () => {
    const db = join(tempDir(), "h.sqlite");
    openBlock(db, "exchange-online");
    writeRemovalHistory(db, [{ provider: "outlook", ip: IP, daysAgo: 3 }]);

    const result = await runCommand([
      "removal",
      "status",
      "--provider",
      "exchange-online",
      "--db",
      db,
      "--format",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(json.statuses).toHaveLength(1);
    expect(json.statuses[0]?.lastRequest).toBeNull();
    expect(json.statuses[0]?.requests).toBe(0);
    expect(json.statuses[0]?.canRequestNow).toBe(true);
  });
});
