import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runProbe } from "../helpers/probe-command.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

const servers: GmailLikeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(phase: Parameters<typeof startGmailLikeServer>[0]) {
  const server = await startGmailLikeServer(phase);
  servers.push(server);
  return server;
}

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function wideLines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 80);
}

describe("delist probe rate limit", () => {
  it("lets a refused connection not count", async () => {
    const db = join(tempDir(), "history.sqlite");
    const refused = await runProbe(db, await closedPort());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("Could not connect to any mail host");

    const server = await startServer("accepted");
    const accepted = await runProbe(db, server.port);
    expect(accepted.stderr).toBe("");
    expect(accepted.code).toBe(0);
    expect(server.connections).toBe(1);
  });

  it("keys the limit by the --mx host", async () => {
    const db = join(tempDir(), "history.sqlite");
    const first = await startServer("accepted");
    const second = await startServer("accepted");
    expect((await runProbe(db, first.port)).code).toBe(0);
    expect((await runProbe(db, second.port)).code).toBe(0);

    const again = await runProbe(db, first.port);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `127.0.0.1:${first.port} from the default source address was probed at`,
    );
    expect(first.connections).toBe(1);
  });
});

describe("delist probe text", () => {
  it("wraps a deferral at 80 columns", async () => {
    const server = await startServer("rate-limited");
    const result = await runProbe(join(tempDir(), "history.sqlite"), server.port);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("The receiver deferred the sender with 421 4.7.28");
    expect(result.stdout).toContain("Note: A probe that stops before DATA");
    expect(wideLines(result.stdout)).toEqual([]);
  });

  it("wraps the unreachable hosts at 80 columns", async () => {
    const result = await runProbe(join(tempDir(), "history.sqlite"), await closedPort());
    expect(result.stdout).toContain("Unreachable: 127.0.0.1 [127.0.0.1]:");
    expect(result.stdout).toContain("ECONNREFUSED");
    expect(wideLines(result.stdout)).toEqual([]);
  });
});
