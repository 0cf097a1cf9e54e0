import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();
const validate = schemaValidator("removal.schema.json");

const NOTE = "Sent after fixing SPF for example.com; ticket 1234";

/** Records a Yahoo request with `NOTE` for 203.0.113.5 and returns the database path. */
async function requestWithNote(): Promise<string> {
  const db = join(tempDir(), "history.sqlite");
  const args = ["removal", "request", "--provider", "yahoo", "--ip", "203.0.113.5"];
  const result = await runCommand([...args, "--note", NOTE, "--db", db]);
  expect(result.code).toBe(0);
  return db;
}

describe("removal request note", () => {
  test("history text shows it", async () => {
    const db = await requestWithNote();

    const history = await runCommand(["history", "--db", db]);

    expect(history.stdout).toContain(`note: ${NOTE}`);
  });

  test("status text shows it", async () => {
    const db = await requestWithNote();

    const status = await runCommand(["removal", "status", "--db", db]);

    expect(status.stdout).toContain(`  Note:          ${NOTE}`);
  });

  test("status JSON carries it", async () => {
    const db = await requestWithNote();

    const status = await runCommand(["removal", "status", "--db", db, "-f", "json"]);
    const json = JSON.parse(status.stdout) as { statuses: { lastRequest: { note: unknown } }[] };

    expect(validate(json)).toEqual([]);
    expect(json.statuses[0]?.lastRequest.note).toBe(NOTE);
  });

  test("no note, no note line", async () => {
    const db = join(tempDir(), "history.sqlite");
    const args = ["removal", "request", "--provider", "yahoo", "--ip", "203.0.113.5"];
    await runCommand([...args, "--db", db]);

    const status = await runCommand(["removal", "status", "--db", db]);
    const history = await runCommand(["history", "--db", db]);

    expect(status.stdout).not.toContain("Note:");
    expect(history.stdout).not.toContain("note:");
  });
});
