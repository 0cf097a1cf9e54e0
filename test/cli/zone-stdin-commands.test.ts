import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const files = temporaryFiles();
const tempDir = useTempDirs();

const ZONE = '$ORIGIN example.com.\n@ 300 IN TXT "v=spf1 -all"\n';

/** Writes a small Postfix log of one message that news@example.com submitted to Gmail. */
function mailLog(): string {
  const log = new PostfixLog();
  log.submit({
    time: T0,
    account: "news@example.com",
    clientIp: "192.0.2.10",
    recipients: [{ address: "reader@gmail.com" }],
  });
  return files.file(log.text());
}

describe("check with nothing in the zone", () => {
  it("exits 2 for an empty zone on stdin", async () => {
    const result = await runCommand(["check", "example.com", "--zone", "-"], "");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("delist: nothing could be checked: ");
    expect(result.stderr).toContain("which contain no zone");
  });

  it("exits 2 for a zone of another domain", async () => {
    const zone = files.file('$ORIGIN example.org.\n@ 300 IN TXT "v=spf1 -all"\n', "other.zone");
    const result = await runCommand(["check", "example.com", "--zone", zone]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("which contain only the zone example.org");
  });

  it("exits 1 when some names are in it", async () => {
    const result = await runCommand(["check", "example.com", "--zone", "-"], ZONE);

    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("nothing could be checked");
  });
});

describe("--zone - of other commands", () => {
  it("blocklists reads the zone from stdin", async () => {
    const result = await runCommand(["blocklists", "192.0.2.1", "--zone", "-"], "");

    expect(result.stderr).not.toContain("cannot read");
    expect(result.stderr).toContain("which contain no zone");
    expect(result.code).toBe(2);
  });

  it("probe reads the zone from stdin", async () => {
    const dir = tempDir();
    const args = ["probe", "--to", "someone@example.com", "--helo", "mail.example.com"];
    const db = ["--db", join(dir, "history.sqlite")];
    const result = await runCommand([...args, ...db, "--offline", "--zone", "-"], ZONE);

    expect(result.stderr).not.toContain("cannot read");
    expect(result.stdout).toContain("No host to probe");
    expect(result.code).toBe(1);
  });

  it("diagnose reads the zone from stdin", async () => {
    const args = [...OFFLINE_DIAGNOSE, mailLog(), "--domain", "example.com", "--zone", "-"];
    const result = await runCommand([...args, "--format", "json"], ZONE);
    const report = JSON.parse(result.stdout) as { checks: { resolver: string } };

    expect(result.stderr).not.toContain("cannot read");
    expect(report.checks.resolver).toBe("zone standard input");
  });

  it("diagnose rejects it beside stdin logs", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "-", "--zone", "-"], ZONE);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "delist: --zone - and the logs (- among the logs) both read standard input, which can " +
        "be read only once: save the zone to a file and give --zone its path\n",
    );
  });

  it("diagnose rejects it beside stdin bounces", async () => {
    const args = [...OFFLINE_DIAGNOSE, mailLog(), "--bounces", "-", "--zone", "-"];
    const result = await runCommand(args, ZONE);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--zone - and the bounces (--bounces -) both read");
  });
});
