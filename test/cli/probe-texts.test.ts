import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runProbe } from "../helpers/probe-command.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const validate = schemaValidator("probe.schema.json");

/** Gmail's block reply, whose bracket pads the IP and the count with six spaces. */
const PADDED_BLOCK =
  "550-5.7.1 [192.0.2.1      1] Our system has detected an unusual rate of\r\n" +
  "550-5.7.1 unsolicited mail originating from your IP address. To protect our\r\n" +
  "550-5.7.1 users from spam, mail sent from your IP address has been blocked.\r\n" +
  "550 5.7.1 https://support.google.com/mail/?p=UnsolicitedIPError x1si9 - gsmtp\r\n";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** Starts an SMTP server on 127.0.0.1 that replies to RCPT TO with `reply`. */
async function startBlockingServer(reply = PADDED_BLOCK): Promise<number> {
  const server = createServer((socket) => {
    socket.write("220 mx.example.net ESMTP ready\r\n");
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let end = buffered.indexOf("\r\n");
      while (end >= 0) {
        const command = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (command.startsWith("EHLO")) socket.write("250-mx.example.net\r\n250 8BITMIME\r\n");
        else if (command.startsWith("MAIL")) socket.write("250 2.1.0 OK\r\n");
        else if (command.startsWith("RCPT")) socket.write(reply);
        else if (command.startsWith("QUIT")) socket.end("221 2.0.0 bye\r\n");
        else socket.write("250 2.0.0 OK\r\n");
        end = buffered.indexOf("\r\n");
      }
    });
    socket.on("error", () => socket.destroy());
  });
  servers.push(server);
  return listenedPort(server);
}

async function listenedPort(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

/** Returns a port on 127.0.0.1 that nothing listens on: one that a server just released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenedPort(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("probe texts", () => {
  test("refused port names that port", async () => {
    const port = await closedPort();

    const result = await runProbe(join(tempDir(), "history.sqlite"), port);

    expect(result.stdout).toContain(`rejected the TCP connection on port ${String(port)}`);
    expect(result.stdout).not.toContain("on port 25");
    expect(result.stdout).toContain(`\`nc -vz 127.0.0.1 ${String(port)}\``);
  });

  test("JSON names the failed port", async () => {
    const port = await closedPort();

    const result = await runProbe(join(tempDir(), "history.sqlite"), port, ["-f", "json"]);
    const json = JSON.parse(result.stdout) as { failedHosts: { port: number }[] };

    expect(validate(json)).toEqual([]);
    expect(json.failedHosts[0]?.port).toBe(port);
  });

  test("transcript keeps reply spaces", async () => {
    const port = await startBlockingServer();

    const result = await runProbe(join(tempDir(), "history.sqlite"), port);

    expect(result.stdout).toContain(
      "  < 550-5.7.1 [192.0.2.1      1] Our system has detected an unusual rate of\n",
    );
  });

  test("wrapped reply keeps inner spaces", async () => {
    const reply =
      "550 5.7.1 [192.0.2.1      1] Our system has detected an unusual rate of " +
      "unsolicited   mail originating from your IP address. x1si9 - gsmtp\r\n";
    const port = await startBlockingServer(reply);

    const result = await runProbe(join(tempDir(), "history.sqlite"), port);

    expect(result.stdout).toContain(
      "  < 550 5.7.1 [192.0.2.1      1] Our system has detected an unusual rate of\n",
    );
    expect(result.stdout).toContain(
      "      unsolicited   mail originating from your IP address. x1si9 - gsmtp\n",
    );
  });

  test("stage reads as explain writes it", async () => {
    const port = await startBlockingServer();

    const result = await runProbe(join(tempDir(), "history.sqlite"), port);

    expect(result.stdout).toContain("The receiver rejected the sender with 550 5.7.1 at RCPT TO:");
    expect(result.stdout).not.toContain(" at rcpt");
  });
});
