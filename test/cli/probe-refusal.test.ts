import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runProbe } from "../helpers/probe-command.js";
import { schemaValidator } from "../helpers/schema.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const validate = schemaValidator("probe.schema.json");
const tempDir = useTempDirs();

const servers: GmailLikeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface RejectionJson {
  rejection: {
    reason: string;
    message: string;
    target: string | null;
    lastProbeAt: string | null;
    nextProbeAllowedAt: string | null;
  };
}

async function probedServer(db: string): Promise<GmailLikeServer> {
  const server = await startGmailLikeServer("accepted");
  servers.push(server);
  expect((await runProbe(db, server.port)).code).toBe(0);
  return server;
}

describe("probe rejected by the hourly limit", () => {
  it("names the default source address", async () => {
    const db = join(tempDir(), "history.sqlite");
    const server = await probedServer(db);
    const again = await runProbe(db, server.port);

    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `127.0.0.1:${server.port} from the default source address was probed at`,
    );
    expect(again.stderr).not.toContain("from default");
    expect(again.stderr).not.toMatch(/\d\d:\d\d:\d\d\.\d/);
  });

  it("names a given source address", async () => {
    const db = join(tempDir(), "history.sqlite");
    const server = await probedServer(db);
    const source = ["--source-ip", "127.0.0.1"];
    expect((await runProbe(db, server.port, source)).code).toBe(0);
    const again = await runProbe(db, server.port, source);

    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `127.0.0.1:${server.port} from source address 127.0.0.1 was probed at`,
    );
  });

  it("prints the rejection as JSON", async () => {
    const db = join(tempDir(), "history.sqlite");
    const server = await probedServer(db);
    const again = await runProbe(db, server.port, ["--format", "json"]);

    expect(again.code).toBe(2);
    expect(server.connections).toBe(1);
    const json = JSON.parse(again.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("rate-limited");
    expect(json.rejection.target).toBe(`127.0.0.1:${server.port} from default`);
    expect(json.rejection.message).toContain("the next probe is allowed at");
    expect(again.stderr).toContain(json.rejection.message);
    const last = Date.parse(json.rejection.lastProbeAt ?? "");
    const next = Date.parse(json.rejection.nextProbeAllowedAt ?? "");
    expect(next - last).toBe(60 * 60 * 1000);
  });
});

describe("probe usage error with --format json", () => {
  it("prints the rejection as JSON", async () => {
    const db = join(tempDir(), "history.sqlite");
    const result = await runProbe(db, 2525, ["--format", "json", "--smtp-timeout-ms", "5"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --smtp-timeout-ms "5"');
    const json = JSON.parse(result.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("usage-error");
    expect(json.rejection.message).toContain('invalid --smtp-timeout-ms "5"');
    expect(json.rejection.target).toBeNull();
    expect(json.rejection.lastProbeAt).toBeNull();
  });

  it("prints nothing on stdout for text", async () => {
    const db = join(tempDir(), "history.sqlite");
    const result = await runProbe(db, 2525, ["--smtp-timeout-ms", "5"]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });
});
