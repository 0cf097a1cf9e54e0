import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function stamp(time: number): string {
  return new Date(time).toISOString().replace("Z", "+00:00");
}

/** Builds a log of mail received from another host and delivered to a local mailbox over LMTP. */
function inboundOnlyLog(): string {
  const lines: string[] = [];
  for (let hour = 0; hour < 6; hour++) {
    const time = stamp(T0 + hour * HOUR);
    const id = `4A1B2C3D${String(hour).padStart(2, "0")}`;
    lines.push(
      `${time} mail postfix/smtpd[100]: connect from mx.example.net[192.0.2.5]`,
      `${time} mail postfix/smtpd[100]: ${id}: client=mx.example.net[192.0.2.5]`,
      `${time} mail postfix/cleanup[101]: ${id}: message-id=<m${hour}@example.net>`,
      `${time} mail postfix/qmgr[102]: ${id}: from=<bob@example.net>, size=1200, nrcpt=1 (queue active)`,
      `${time} mail postfix/lmtp[103]: ${id}: to=<alice@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 <alice@example.com> Saved)`,
      `${time} mail postfix/qmgr[102]: ${id}: removed`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function blockedLog(): string {
  return new PostfixLog().submitHourly({ outcome: GMAIL_RATE_LIMIT }).text();
}

describe("diagnose input problems", () => {
  test("inbound-only log is not called healthy", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(inboundOnlyLog())]);

    expect(result.stdout).toContain("Verdict: NO OUTBOUND DELIVERY");
    expect(result.stdout).not.toContain("Verdict: OK");
    expect(result.stdout).not.toContain("Nothing to fix");
    expect(result.stdout).toContain("The log shows no outbound delivery");
    expect(result.stdout.replace(/\s+/g, " ")).toContain("that host's log is needed");
  });

  test("inbound-only readiness is not applicable", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(inboundOnlyLog()),
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      readiness: { items: Array<{ id: string; status: string; detail: string }> };
    };
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocks-ended");

    expect(item?.status).toBe("not-checked");
    expect(JSON.stringify(diagnosis.readiness)).not.toContain("delist check example.net");
  });

  test("missing file beside a good one", async () => {
    const missing = "/nonexistent/delist/typo.log";
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(blockedLog()), missing]);
    const input = result.stdout.slice(result.stdout.lastIndexOf("\nError: "));

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Verdict: RATE-LIMITED");
    expect(input).toMatch(/^\nError: \/nonexistent\/delist\/typo\.log: cannot read/);
    expect(input).toContain("Read 1 of 2 files:");
    expect(result.stderr).toContain(`cannot read "${missing}": file not found`);
  });

  test("Markdown names the unread file", async () => {
    const missing = "/nonexistent/delist/typo.log";
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "-f",
      "markdown",
      temporary.file(blockedLog()),
      missing,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`**Error:** ${missing}: cannot read`);
    expect(result.stdout).toContain("Read 1 of 2 files:");
  });

  test("only missing files report only that", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "/nonexistent/delist/typo.log"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("file not found");
    expect(result.stderr).not.toContain("the input is empty");
    expect(result.stderr).not.toContain("no Postfix");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("lines without deliveries are counted", async () => {
    const lines = [
      `${stamp(T0)} mail postfix/smtpd[1]: connect from unknown[192.0.2.1]`,
      `${stamp(T0)} mail postfix/smtpd[1]: disconnect from unknown[192.0.2.1]`,
      `${stamp(T0)} mail amavis[2]: (00001-01) Passed CLEAN`,
      "a line without framing",
      "",
    ];
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(lines.join("\n"))]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("found in 4 lines read: ");
    expect(result.stderr).toContain("2 ignored as holding nothing delist uses");
    expect(result.stderr).toContain("1 of programs delist does not read (amavis 1)");
    expect(result.stderr).toContain("1 without a log format delist reads");
    expect(result.stderr).not.toMatch(/: 0, 0, 0/);
  });

  test("overlong line is named in text", async () => {
    const long = `${stamp(T0 + 1000)} mail postfix/cleanup[5]: 0000099999: warning: header Subject: ${"x".repeat(1_100_000)}`;
    const text = blockedLog().replace("\n", `\n${long}\n`);
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text)]);

    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "1 line was longer than 64 KiB, so only its first 64 KiB was read. It usually counts as unparsed.",
    );
  });

  test("overlong line alone names the limit", async () => {
    const long = `${stamp(T0)} mail postfix/smtp[5]: 0000099999: to=<a@example.net>, ${"x".repeat(70_000)}`;
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(`${long}\n`)]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("found in 1 line read: 1 of known programs that did not parse");
    expect(result.stderr).toContain(
      "delist: 1 line was longer than the 64 KiB line limit, so only its first 64 KiB was read.",
    );
  });

  test("README alone names the file", async () => {
    const folder = temporary.folder({ "README.txt": "These are the logs of mx1.\n" });
    const result = await runCommand([...OFFLINE_DIAGNOSE, folder]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("1 without a log format delist reads");
    expect(result.stderr).toContain(`${folder}/README.txt held no log lines`);
  });
});

describe("options that take several values", () => {
  test("--domain taking the log is named", async () => {
    const log = temporary.file(blockedLog());
    const result = await runCommand(["diagnose", "--offline", "--domain", "example.com", log]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no log given");
    expect(result.stderr).toContain(
      `--domain took "${log}" as one of its values: put the logs before options that take several values, or end the option with --`,
    );
  });

  test("ending the option with -- reads the log", async () => {
    const log = temporary.file(blockedLog());
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--domain", "example.com", "--", log]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Verdict: RATE-LIMITED");
  });

  test("a single domain value gets no hint", async () => {
    const result = await runCommand(["diagnose", "--offline", "--domain", "example.com"]);

    expect(result.stderr).toContain("no log given");
    expect(result.stderr).not.toContain("took");
  });

  test("check --ip taking the domain is named", async () => {
    const result = await runCommand(["check", "--ip", "192.0.2.1", "example.com", "--offline"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'domains'");
    expect(result.stderr).toContain(
      '--ip took "example.com" as one of its values: put the domains before options that take several values',
    );
  });
});
