import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { heloWarning, isFullyQualifiedHelo } from "../../src/probe/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { runProbe } from "../helpers/probe-command.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

// The probe's default EHLO name is the host name, so the test sets a bare one.
vi.mock("node:os", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:os")>()),
  hostname: () => "mailhost",
}));

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("probe EHLO name", () => {
  it("fully qualified names", () => {
    expect(isFullyQualifiedHelo("mail.example.com")).toBe(true);
    expect(isFullyQualifiedHelo("mail.example.com.")).toBe(true);
    expect(isFullyQualifiedHelo("[192.0.2.1]")).toBe(true);
    expect(isFullyQualifiedHelo("[IPv6:2001:db8::1]")).toBe(true);
    expect(isFullyQualifiedHelo("mailhost")).toBe(false);
    expect(isFullyQualifiedHelo("mailhost.")).toBe(false);
  });

  it("bare host name is a usage error", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const args = ["probe", "--to", "someone@gmail.com", "--offline", "--db", db];
    const result = await runCommand([...args, "--mx", `127.0.0.1:${server.port}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('host name "mailhost" is not a fully qualified name');
    expect(result.stderr).toContain("give --helo");
    expect(server.connections).toBe(0);
  });

  it("bare --helo gets a warning", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await runProbe(join(tempDir(), "h.sqlite"), server.port, ["--helo", "mailhost"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the EHLO name "mailhost" is not fully qualified');
    expect(server.connections).toBe(1);
  });

  it("qualified --helo gets no warning", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await runProbe(join(tempDir(), "h.sqlite"), server.port);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("EHLO name");
  });

  it("heloWarning for suspect names", () => {
    expect(heloWarning("mail.example.com")).toBeNull();
    expect(heloWarning("mail.example.com.")).toBeNull();
    expect(heloWarning("[192.0.2.1]")).toBeNull();
    expect(heloWarning("localhost")).toBe("is not fully qualified");
    expect(heloWarning("localhost.localdomain")).toContain("a name for this machine only");
    expect(heloWarning("mail.localdomain")).toContain("a name for this machine only");
    expect(heloWarning("localhost.localdomain.")).toContain("a name for this machine only");
    expect(heloWarning("printer.local")).toContain("a name for this machine only");
    expect(heloWarning("mail_x.example.com")).toContain("contains an underscore");
  });

  it("--helo with trailing dot sent without it", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const result = await runProbe(db, server.port, ["--helo", "mail.example.com."]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("EHLO name");
    expect(server.heloNames).toEqual(["mail.example.com"]);
  });

  it("--helo localhost.localdomain gets a warning", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const result = await runProbe(db, server.port, ["--helo", "localhost.localdomain"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: the EHLO name "localhost.localdomain" is a name for this machine only',
    );
  });

  it("--helo with underscore gets a warning", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const result = await runProbe(db, server.port, ["--helo", "mail_x.example.com"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the EHLO name "mail_x.example.com" contains an underscore');
    expect(server.heloNames).toEqual(["mail_x.example.com"]);
  });
});
