import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { emailSender, webhookSender, type AlertSender } from "../../src/monitor/index.js";
import type { AlertPayload } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { useTempDirs } from "../store/helpers.js";
import { closedPort } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();

const PAYLOAD: AlertPayload = {
  schemaVersion: 1,
  alertKey: "delist-change-1-0-webhook",
  change: "listed",
  key: "blocklist:192.0.2.5:spamhaus-zen",
  kind: "blocklist",
  subject: "192.0.2.5 on spamhaus-zen",
  previous: null,
  value: "listed",
  at: "2024-03-01T00:00:00.000Z",
  summary: "Newly listed: 192.0.2.5 on spamhaus-zen.",
  incident: null,
  evidence: {},
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Starts an HTTP server on 127.0.0.1 that reads each request and destroys its socket. */
async function startClosingWebhook(): Promise<string> {
  const server = http.createServer((request) => {
    request.resume();
    request.on("end", () => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-token`;
}

/** Starts a TCP server on 127.0.0.1 that sends an SMTP greeting, not HTTP, to each client. */
async function startSmtpGreetingServer(): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on("data", () => socket.end("220 mail.example.com ESMTP\r\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-token`;
}

/**
 * Starts an SMTP server on 127.0.0.1 that never replies to the command `silentAt`. The other
 * commands get their usual replies.
 */
async function startSilentSmtp(silentAt: "RCPT TO" | "DATA"): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (silentAt !== "RCPT TO") callback();
    },
    onData(stream) {
      // Read the message and never reply to its final dot.
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.server.address() as AddressInfo).port;
}

/**
 * Makes a key and a self-signed certificate for localhost that expired a day before it was made
 * (openssl `-days -1`).
 */
function expiredCertificate(): { key: Buffer; cert: Buffer } {
  const dir = tempDir();
  const key = join(dir, "key.pem");
  const request = join(dir, "request.pem");
  const cert = join(dir, "cert.pem");
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost"].concat([
      "-keyout",
      key,
      "-out",
      request,
    ]),
  );
  openssl(["x509", "-req", "-in", request, "-signkey", key, "-days", "-1", "-out", cert]);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** Starts an SMTP server on 127.0.0.1 that offers STARTTLS with an expired certificate. */
async function startExpiredTlsSmtp(): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH"],
    logger: false,
    ...expiredCertificate(),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.server.address() as AddressInfo).port;
}

/** Starts an SMTP server on 127.0.0.1 that rejects every recipient with a 550 reply. */
async function startRejectingSmtp(): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      const error = new Error("5.7.1 Relaying denied") as Error & { responseCode: number };
      error.responseCode = 550;
      callback(error);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.server.address() as AddressInfo).port;
}

/** Starts an HTTPS server on 127.0.0.1 with an expired certificate and returns its URL. */
async function startExpiredHttps(): Promise<string> {
  const server = https.createServer(expiredCertificate(), (_request, response) => {
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/secret-token`;
}

/** Starts an HTTP server on 127.0.0.1 that responds with HTTP `status` and returns its URL. */
async function startStatusWebhook(status: number): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-token`;
}

/** Returns the message of the error that `sender.send` rejects with. */
async function sendError(sender: AlertSender): Promise<string> {
  const error = await sender.send(PAYLOAD).then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

function mailConfig(port: number) {
  return {
    host: "127.0.0.1",
    port,
    secure: false,
    from: "monitor@example.com",
    to: ["admin@example.com"],
    timeoutMs: 500,
  };
}

describe("alert delivery errors", () => {
  it("webhook that closes says so", async () => {
    const url = await startClosingWebhook();
    const sender = webhookSender({ url, headers: {}, timeoutMs: 2_000 });
    const error = await sender.send(PAYLOAD).then(
      () => null,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("closed the connection before a response came");
    expect(message).toContain("Check the receiver's log for the reason");
    expect(message).toContain(new URL(url).origin);
    expect(message).not.toContain("could not be reached");
    expect(message).not.toContain("secret-token");
  });

  it("webhook answering non-HTTP says so", async () => {
    const url = await startSmtpGreetingServer();
    const sender = webhookSender({ url, headers: {}, timeoutMs: 2_000 });
    const message = await sendError(sender);

    expect(message).toContain(`${new URL(url).origin} answered with something that is not HTTP`);
    expect(message).toContain("Check the port of alerts.webhook.url");
    expect(message).not.toContain("could not be reached");
    expect(message).not.toContain("secret-token");
  });

  it("webhook on a closed port is unreachable", async () => {
    const url = await startClosingWebhook();
    await closers.pop()?.();
    const sender = webhookSender({ url, headers: {}, timeoutMs: 2_000 });
    const message = await sendError(sender);
    expect(message).toMatch(/could not be reached: .*ECONNREFUSED/);
    expect(message).toContain("Check the host name and port of alerts.webhook.url");
    expect(message).not.toContain("secret-token");
  });

  it("webhook time-out names the setting", async () => {
    const silent = http.createServer((request) => request.resume());
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    closers.push(() => {
      silent.closeAllConnections();
      return new Promise((resolve) => silent.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/secret-token`;
    const message = await sendError(webhookSender({ url, headers: {}, timeoutMs: 300 }));
    expect(message).toContain(
      `the webhook at ${new URL(url).origin} did not respond within 300 ms`,
    );
    expect(message).toContain("raise alerts.webhook.timeoutMs");
    expect(message).not.toContain("secret-token");
  });

  it.each([
    [401, "Check the token in alerts.webhook.headers"],
    [403, "Check the token in alerts.webhook.headers"],
    [404, "Check the path of alerts.webhook.url"],
    [410, "Check the path of alerts.webhook.url"],
    [429, "Check that limit at the receiver"],
    [400, "the receiver rejected the alert. Check its log"],
    [500, "the receiver failed to handle the alert. Check its log"],
    [503, "the receiver failed to handle the alert. Check its log"],
  ])("webhook HTTP %i names a step", async (status, step) => {
    const url = await startStatusWebhook(status);
    const message = await sendError(webhookSender({ url, headers: {}, timeoutMs: 2_000 }));
    expect(message).toContain(
      `the webhook at ${new URL(url).origin} responded with HTTP ${status}: `,
    );
    expect(message).toContain(step);
    expect(message).not.toContain("secret-token");
  });

  it("webhook with an expired certificate", async () => {
    const url = await startExpiredHttps();
    const message = await sendError(webhookSender({ url, headers: {}, timeoutMs: 2_000 }));
    expect(message).toContain(`the webhook at ${new URL(url).origin} sent a TLS certificate`);
    expect(message).toContain("certificate has expired");
    expect(message).toContain("Renew the certificate on the server");
    expect(message).not.toContain("secret-token");
  });

  it("https webhook on an HTTP port", async () => {
    const url = (await startStatusWebhook(204)).replace("http:", "https:");
    const message = await sendError(webhookSender({ url, headers: {}, timeoutMs: 2_000 }));
    expect(message).toContain(`the webhook at ${new URL(url).origin} did not answer in TLS`);
    expect(message).toContain("Check that the port of alerts.webhook.url serves HTTPS");
  });

  it("e-mail time-out names RCPT TO", async () => {
    const port = await startSilentSmtp("RCPT TO");
    const sender = emailSender(mailConfig(port), {});
    const error = await sender.send(PAYLOAD).then(
      () => null,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`the SMTP server at 127.0.0.1:${port}`);
    expect(message).toContain("did not send the reply to RCPT TO within 500 ms");
    expect(message).not.toContain("admin@example.com");
  });

  it("e-mail time-out after the message", async () => {
    const port = await startSilentSmtp("DATA");
    const sender = emailSender(mailConfig(port), {});
    await expect(sender.send(PAYLOAD)).rejects.toThrow(
      `the SMTP server at 127.0.0.1:${port} did not send the reply to the message within 500 ms`,
    );
  });

  it("e-mail time-out without a greeting", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as AddressInfo).port;
    const sender = emailSender(mailConfig(port), {});
    await expect(sender.send(PAYLOAD)).rejects.toThrow(
      `the SMTP server at 127.0.0.1:${port} did not send the greeting within 500 ms`,
    );
  });

  it("e-mail with an expired certificate", async () => {
    const port = await startExpiredTlsSmtp();
    const message = await sendError(emailSender(mailConfig(port), {}));
    expect(message).toContain(`the SMTP server at 127.0.0.1:${port} sent a TLS certificate`);
    expect(message).toContain("certificate has expired");
    expect(message).toContain("Renew the certificate on the server");
  });

  it("e-mail to a closed port", async () => {
    const port = await closedPort();
    const message = await sendError(emailSender(mailConfig(port), {}));
    expect(message).toContain(`the SMTP server at 127.0.0.1:${port} could not be reached`);
    expect(message).toContain("ECONNREFUSED");
    expect(message).toContain("Check alerts.email.host and alerts.email.port");
  });

  it("e-mail rejected at RCPT TO", async () => {
    const port = await startRejectingSmtp();
    const message = await sendError(emailSender(mailConfig(port), {}));
    expect(message).toContain(`the SMTP server at 127.0.0.1:${port} rejected the alert`);
    expect(message).toContain("550 5.7.1 Relaying denied");
    expect(message).toContain("Check alerts.email.from and alerts.email.to");
  });

  it("e-mail tracks each message anew", async () => {
    const port = await startSilentSmtp("RCPT TO");
    const sender = emailSender(mailConfig(port), {});
    await expect(sender.send(PAYLOAD)).rejects.toThrow(/the reply to RCPT TO/);
    await expect(sender.send(PAYLOAD)).rejects.toThrow(/the reply to RCPT TO/);
  });
});
