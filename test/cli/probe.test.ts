import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryStore, blockKey } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { runProbe } from "../helpers/probe-command.js";
import { schemaValidator } from "../helpers/schema.js";
import {
  JUDGED_IP,
  startGmailLikeServer,
  type GmailLikeServer,
} from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const validate = schemaValidator("probe.schema.json");
const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface ProbeJson {
  status: string;
  ip: string | null;
  tls: { version: string } | null;
  replies: Array<{ stage: string; replyCode: number; ruleId: string }>;
  limitation: string;
  history: { probeId: number; change: string | null; incidentId: number | null; target: string };
}

function probe(db: string, extra: string[] = []) {
  return runProbe(db, server?.port ?? 1, extra);
}

describe("delist probe", () => {
  it("prints a valid JSON result and records it", async () => {
    server = await startGmailLikeServer("rate-limited");
    const db = join(tempDir(), "history.sqlite");
    const result = await probe(db, ["--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as ProbeJson;
    expect(validate(json)).toEqual([]);
    expect(json.status).toBe("rate-limited");
    expect(json.ip).toBe(JUDGED_IP);
    expect(json.tls?.version).toMatch(/^TLSv1/);
    expect(json.replies.find((r) => r.stage === "rcpt")?.ruleId).toBe("gmail.ip-rate-limit");
    expect(json.limitation).toContain("cannot see blocks applied after DATA");
    expect(json.history.change).toBe("block-seen");
    expect(json.history.target).toBe(`127.0.0.1:${server.port} from default`);

    const store = HistoryStore.open(db);
    expect(store.incidents.latest(blockKey("gmail", JUDGED_IP))?.id).toBe(json.history.incidentId);
    store.close();
  });

  it("refuses a second probe within the hour", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "history.sqlite");
    expect((await probe(db)).code).toBe(0);
    const again = await probe(db);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("the next probe is allowed at");
    expect(again.stderr).toContain("--force");
    expect(server.connections).toBe(1);

    const forced = await probe(db, ["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("warning");
    expect(server.connections).toBe(2);
  });

  it("prints the conversation as text", async () => {
    server = await startGmailLikeServer("blocked");
    const result = await probe(join(tempDir(), "history.sqlite"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Probe of someone@gmail.com via 127.0.0.1");
    expect(result.stdout).toContain(": blocked");
    expect(result.stdout).toContain("  > RCPT TO:<someone@gmail.com>");
    expect(result.stdout).toContain("  < 550 5.7.1");
    expect(result.stdout).toContain("cannot see blocks applied after DATA");
  });

  it("rejects bad options", async () => {
    const db = join(tempDir(), "history.sqlite");
    const badTo = await runCommand(["probe", "--to", "nobody", "--db", db]);
    expect(badTo.code).toBe(2);
    expect(badTo.stderr).toContain('invalid --to "nobody"');
    const badIp = await runCommand([
      "probe",
      "--to",
      "a@gmail.com",
      "--source-ip",
      "x",
      "--db",
      db,
    ]);
    expect(badIp.code).toBe(2);
    expect(badIp.stderr).toContain("invalid --source-ip");
    const badMx = await runCommand(["probe", "--to", "a@gmail.com", "--mx", "h:0", "--db", db]);
    expect(badMx.code).toBe(2);
    expect(badMx.stderr).toContain("invalid --mx");
  });
});
