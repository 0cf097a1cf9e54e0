import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { ruleById } from "../../src/knowledge/rules/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const validate = schemaValidator("probe.schema.json");
const removalValidate = schemaValidator("removal.schema.json");
const tempDir = useTempDirs();

// Outlook.com's refusal of an IP whose range is on Microsoft's own block list.
const RANGE_BLOCK =
  "5.7.1 Unfortunately, messages from [192.0.2.20] weren't sent. Please contact your Internet " +
  "service provider since part of their network is on our block list (S3150).";
const RULE = "outlook.range-blocklist";

let server: SMTPServer | null = null;
afterEach(async () => {
  const running = server;
  server = null;
  if (running !== null) await new Promise<void>((resolve) => running.close(() => resolve()));
});

/** Starts an SMTP server on 127.0.0.1 that rejects every RCPT TO with `RANGE_BLOCK`. */
async function startRangeBlockServer(): Promise<number> {
  const started = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error(RANGE_BLOCK), { responseCode: 550 }));
    },
  });
  started.on("error", () => undefined);
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  server = started;
  return (started.server.address() as { port: number }).port;
}

function probe(db: string, port: number, extra: string[] = [], recipient = "someone@outlook.com") {
  return runCommand([
    "probe",
    "--to",
    // The recipient's domain sets the provider, because the MX is a server on 127.0.0.1.
    recipient,
    "--helo",
    "mail.example.com",
    "--mx",
    `127.0.0.1:${port}`,
    "--offline",
    "--db",
    db,
    ...extra,
  ]);
}

describe("probe fix steps", () => {
  const steps = ruleById(RULE)?.fix ?? [];

  it("rule has steps to show", () => {
    expect(steps.length).toBeGreaterThan(0);
  });

  it("json carries the rule's steps", async () => {
    const port = await startRangeBlockServer();
    const result = await probe(join(tempDir(), "h.sqlite"), port, ["--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as {
      status: string;
      fix: string[];
      replies: Array<{ ruleId: string }>;
    };
    expect(validate(json)).toEqual([]);
    expect(json.status).toBe("blocked");
    expect(json.replies.map((reply) => reply.ruleId)).toContain(RULE);
    expect(json.fix).toEqual(steps);
  });

  it("text lists the steps", async () => {
    const port = await startRangeBlockServer();
    const result = await probe(join(tempDir(), "h.sqlite"), port);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("\nWhat to do:\n  1. Usually only the hosting provider");
    expect(result.stdout).toContain("  2. Enrol the IPs in Microsoft SNDS");
    expect(result.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
  });

  it("removal status shows the steps", async () => {
    const port = await startRangeBlockServer();
    const db = join(tempDir(), "h.sqlite");
    expect((await probe(db, port)).code).toBe(1);

    const text = await runCommand(["removal", "status", "--db", db]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("Take the steps below first");
    expect(text.stdout).toContain("  What to do:\n    1. Usually only the hosting provider");
    expect(text.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);

    const json = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    const parsed = JSON.parse(json.stdout) as {
      statuses: Array<{ provider: string; ruleId: string | null; fix: string[] }>;
    };
    expect(removalValidate(parsed)).toEqual([]);
    expect(parsed.statuses[0]?.provider).toBe("outlook");
    expect(parsed.statuses[0]?.ruleId).toBe(RULE);
    expect(parsed.statuses[0]?.fix).toEqual(steps);
  });

  it("keeps the provider of another receiver", async () => {
    const port = await startRangeBlockServer();
    const db = join(tempDir(), "h.sqlite");
    const result = await probe(db, port, [], "someone@example.net");
    const status = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    const parsed = JSON.parse(status.stdout) as { statuses: { provider: string }[] };
    expect(result.stdout).toContain("Provider:   other receiver (a reply reads like Outlook.com");
    expect(parsed.statuses.map((entry) => entry.provider)).not.toContain("outlook");
  });
});
