import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";
import { join } from "node:path";

const tempDir = useTempDirs();

/** Joins wrapped help text into one line, so that a phrase can be found across line breaks. */
function unwrapped(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("help for a new admin", () => {
  test("removal help has a description", async () => {
    const result = await runCommand(["removal", "--help"]);
    const lines = result.stdout.split("\n");

    expect(lines[0]).toBe("Usage: delist removal [options] [command]");
    expect(lines[1]).toBe("");
    expect(lines[2]).toMatch(/^Record the removal requests/);
  });

  test("request help names documentation ranges", async () => {
    const result = await runCommand(["removal", "request", "--help"]);

    expect(unwrapped(result.stdout)).toContain(
      "The documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 " +
        "and 3fff::/20 are accepted without --force",
    );
  });

  test.each(["192.0.2.1", "2001:db8::1"])("request records %s unforced", async (ip) => {
    const db = join(tempDir(), "history.sqlite");

    const result = await runCommand([
      "removal",
      "request",
      "--provider",
      "yahoo",
      "--ip",
      ip,
      "--db",
      db,
    ]);

    expect(result.code).toBe(0);
  });

  test("request rejects benchmarking IP", async () => {
    const db = join(tempDir(), "history.sqlite");

    const result = await runCommand([
      "removal",
      "request",
      "--provider",
      "yahoo",
      "--ip",
      "198.18.0.1",
      "--db",
      db,
    ]);

    expect(result.code).toBe(2);
  });

  test("diagnose help names log paths", async () => {
    const result = await runCommand(["diagnose", "--help"]);
    const text = unwrapped(result.stdout);

    expect(text).toContain("/var/log/mail.log or maillog (Postfix, Sendmail)");
    expect(text).toContain("/var/log/exim4/mainlog or exim_mainlog (Exim)");
    expect(text).toContain("`journalctl -u 'postfix*' -o json`");
  });
});
