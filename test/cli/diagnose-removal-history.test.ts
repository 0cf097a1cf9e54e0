import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { openItems } from "../../src/diagnose/open-items.js";
import { readinessSummary } from "../../src/diagnose/readiness.js";
import type { ReadinessItem, RemovalForm } from "../../src/diagnose/types.js";
import { runCommand } from "../helpers/cli.js";
import { exampleWithLateYahoo } from "../helpers/late-yahoo-example.js";
import { type PastRemovalRequest, writeRemovalHistory } from "../helpers/removal-history.js";
import { schemaValidator } from "../helpers/schema.js";

// The bundled example with a late Yahoo deferral: Gmail and Yahoo reject or defer mail from
// 203.0.113.10 at the end of the log, so both get a removal form.
let EXAMPLE = "";
const SERVER_IP = "203.0.113.10";
const DAY = 86_400_000;
const validate = schemaValidator("diagnose.schema.json");

beforeAll(() => {
  EXAMPLE = exampleWithLateYahoo();
});
afterAll(() => {
  rmSync(EXAMPLE, { recursive: true });
});

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

/** Creates a history database with `requests`, each made `daysAgo` days before now. */
function historyWith(requests: readonly PastRemovalRequest[]): string {
  const directory = mkdtempSync(join(tmpdir(), "delist-diagnose-history-"));
  directories.push(directory);
  return writeRemovalHistory(join(directory, "history.sqlite"), requests);
}

interface FormJson {
  provider: string;
  lastRequest: {
    provider: string;
    ip: string;
    at: string;
    nextAllowedAt: string;
    nextAllowedNow: boolean;
  } | null;
}

async function removalForms(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ forms: FormJson[]; stderr: string }> {
  const result = await runCommand(
    ["diagnose", EXAMPLE, "--offline", "--timezone", "UTC", "--format", "json", ...args],
    "",
    env,
  );
  expect(result.code).toBe(1);
  const json = JSON.parse(result.stdout) as { readiness: { removalForms: FormJson[] } };
  expect(validate(json)).toEqual([]);
  return { forms: json.readiness.removalForms, stderr: result.stderr };
}

function form(forms: FormJson[], provider: string): FormJson | undefined {
  return forms.find((entry) => entry.provider === provider);
}

describe("diagnose and recorded removal requests", () => {
  test("recent request delays the next", async () => {
    const db = historyWith([{ provider: "gmail", ip: SERVER_IP, daysAgo: 3 }]);
    const { forms } = await removalForms(["--db", db]);
    const gmail = form(forms, "gmail")?.lastRequest;
    expect(gmail?.ip).toBe(SERVER_IP);
    expect(gmail?.nextAllowedNow).toBe(false);
    expect(Date.parse(gmail?.nextAllowedAt ?? "") - Date.parse(gmail?.at ?? "")).toBe(14 * DAY);
    expect(form(forms, "yahoo")?.lastRequest).toBeNull();
  });

  test("workspace request counts for the Gmail form", async () => {
    const db = historyWith([
      { provider: "google-workspace", ip: SERVER_IP, daysAgo: 20 },
      { provider: "gmail", ip: SERVER_IP, daysAgo: 40 },
    ]);
    const { forms } = await removalForms(["--db", db]);
    const gmail = form(forms, "gmail")?.lastRequest;
    expect(gmail?.provider).toBe("google-workspace");
    expect(gmail?.nextAllowedNow).toBe(true);
  });

  test("requests for other IPs are left out", async () => {
    const db = historyWith([{ provider: "gmail", ip: "198.51.100.7", daysAgo: 2 }]);
    const { forms } = await removalForms(["--db", db]);
    expect(form(forms, "gmail")?.lastRequest).toBeNull();
  });

  test("default database path is read", async () => {
    const db = historyWith([{ provider: "yahoo", ip: SERVER_IP, daysAgo: 1 }]);
    const stateHome = join(db, "..", "state");
    mkdirSync(join(stateHome, "delist"), { recursive: true });
    renameSync(db, join(stateHome, "delist", "history.sqlite"));
    const { forms } = await removalForms([], { XDG_STATE_HOME: stateHome });
    expect(form(forms, "yahoo")?.lastRequest?.ip).toBe(SERVER_IP);
  });

  test("missing --db file warns and goes on", async () => {
    const { forms, stderr } = await removalForms(["--db", "/nonexistent/delist/history.sqlite"]);
    expect(stderr).toContain("no history database at /nonexistent/delist/history.sqlite");
    expect(form(forms, "gmail")?.lastRequest).toBeNull();
  });

  test("text report shows the wait", async () => {
    const db = historyWith([{ provider: "gmail", ip: SERVER_IP, daysAgo: 3 }]);
    const result = await runCommand(["diagnose", EXAMPLE, "--offline", "--db", db]);
    expect(result.stdout).toMatch(
      /Last request: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d for 203\.0\.113\.10; send the next one from/,
    );
    // Yahoo has no recorded request, so the report prints how to record one.
    expect(result.stdout).toContain("delist removal request --provider yahoo --ip 203.0.113.10");
    expect(result.stdout).not.toContain("--provider gmail");
  });
});

describe("readiness summary", () => {
  const passing: ReadinessItem[] = [
    { id: "cause-identified", title: "Cause found", status: "pass", detail: "" },
  ];
  function gmailForm(lastRequest: RemovalForm["lastRequest"]): RemovalForm {
    return { provider: "gmail", url: "https://example.com/form", rule: "", lastRequest };
  }
  const waiting = {
    provider: "gmail",
    ip: "192.0.2.1",
    at: "2026-12-01T00:00:00Z",
    nextAllowedAt: "2026-12-15T00:00:00Z",
    nextAllowedNow: false,
  };

  test("ready without a request", () => {
    expect(readinessSummary(1, [], [], [gmailForm(null)])).toBe("Request removal now.");
  });

  test("ready but waiting", () => {
    const summary = readinessSummary(1, [], [], [gmailForm(waiting)]);
    expect(summary).toContain("wait until 2026-12-15T00:00:00Z");
  });

  test("ready after the wait", () => {
    const summary = readinessSummary(1, [], [], [gmailForm({ ...waiting, nextAllowedNow: true })]);
    expect(summary).toBe("Request removal now.");
  });

  test("open items come before the wait", () => {
    const failed: ReadinessItem[] = passing.map((item) => ({ ...item, status: "fail" }));
    const open = openItems(failed, { rejecting: [], unreachable: [] });
    const summary = readinessSummary(1, open, [], [gmailForm(waiting)]);
    expect(summary).toMatch(/^Not yet\. Still open: the cause is not found\./);
  });
});
