import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

const ATTACK_IPS = ["203.0.113.50", "203.0.113.51", "203.0.113.52", "203.0.113.53"];

/**
 * Writes three hours of five office accounts, then 480 recipients in three hours from
 * `spellings` in turn (one account name, spelled in one or more ways) from four new addresses.
 */
function compromisedLog(spellings: readonly string[]): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    for (let index = 0; index < 5; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 300_000,
        account: `user${index}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [{ address: `contact${hour}-${index}@example.net` }],
      });
    }
  }
  let message = 0;
  [90, 240, 150].forEach((total, hour) => {
    for (let sent = 0; sent < total; sent += 30) {
      log.submit({
        time: T0 + hour * HOUR + 60_000 + sent * 1000,
        account: spellings[message % spellings.length] ?? "",
        clientIp: ATTACK_IPS[message % ATTACK_IPS.length] ?? "203.0.113.1",
        recipients: Array.from({ length: 30 }, (_, i) => ({
          address: `target${hour}-${sent + i}@gmail.com`,
          outcome: GMAIL_RATE_LIMIT,
        })),
      });
      message += 1;
    }
  });
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === id);
}

/**
 * Returns the command in the code span that starts with `program`, fenced by one backtick or,
 * when the command contains backticks, by two.
 */
function commandOf(text: string, program: string): string | undefined {
  const fenced = new RegExp(`\`\` (${program} .+?) \`\``).exec(text);
  if (fenced !== null) return fenced[1];
  return new RegExp(`\`(${program} [^\`]+)\``).exec(text)?.[1];
}

/** Runs `command` with its program replaced by printf, and returns the words it received. */
function argumentsOf(command: string): string[] {
  const script = `printf '%s\\n' ${command.slice(command.indexOf(" ") + 1)}`;
  return execFileSync("/bin/sh", ["-c", script], { encoding: "utf8" }).split("\n").slice(0, -1);
}

describe("compromised-account fix with a hostile name", () => {
  test("doveadm command quotes the name", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["ni|aj`x"])),
      "compromised-account",
    );
    const fixes = found?.fix.join("\n") ?? "";

    expect(fixes).toContain("`` doveadm kick 'ni|aj`x' ``");
    expect(fixes).not.toContain("doveadm kick ni|aj");
  });

  test("exiqgrep pattern is quoted and literal", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["ni|aj`x"])),
      "compromised-account",
    );
    const fixes = found?.fix.join("\n") ?? "";

    expect(fixes).toContain("`` exiqgrep -i -f 'ni\\|aj`x' | xargs exim -Mrm ``");
    expect(fixes).not.toContain("exiqgrep -i -f ni|aj");
  });

  test("shell passes the name as one word", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["ni|aj`x"])),
      "compromised-account",
    );
    const kick = commandOf(found?.fix[0] ?? "", "doveadm kick");

    expect(kick).toBeDefined();
    expect(argumentsOf(kick ?? "")).toEqual(["kick", "ni|aj`x"]);
  });

  test("name keeps its first spelling", async () => {
    const diagnosis = await diagnoseText(
      compromisedLog(["PWNED@example.com", "pwned@example.com"]),
    );
    const found = findingOf(diagnosis, "compromised-account");

    expect(found).toHaveLength(1);
    expect(found[0]?.title).toContain("Account PWNED@example.com looks compromised");
    expect(found[0]?.fix[0]).toContain("`doveadm kick PWNED@example.com`");
    expect(found[0]?.fix[0]).toContain("The log also spells it pwned@example.com");
    expect((found[0]?.evidence as { account?: string }).account).toBe("pwned@example.com");
  });

  test("one spelling adds no note", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["Mallory@example.com"])),
      "compromised-account",
    );

    expect(found?.fix[0]).toContain("`doveadm kick Mallory@example.com`");
    expect(found?.fix[0]).not.toContain("also spells");
  });
});

describe("web-script fix with a hostile directory", () => {
  const DIRECTORY = "/tmp/.x $(id)|`w`";

  /** Writes Exim lines: two days of cron mail as root, then a burst from `DIRECTORY`. */
  function eximLog(): string {
    const lines: string[] = [];
    const stamp = (hour: number, second: number) =>
      new Date(T0 + hour * HOUR + second * 1000).toISOString().slice(0, 19).replace("T", " ");
    for (let hour = 0; hour < 48; hour += 2) {
      const id = `1rA${String(hour).padStart(3, "0")}-000001-AB`;
      lines.push(`${stamp(hour, 60)} cwd=/var/spool/cron 3 args: /usr/sbin/sendmail -t -i`);
      lines.push(`${stamp(hour, 60)} ${id} <= cron@mx.example.com U=root P=local S=900`);
      lines.push(
        `${stamp(hour, 61)} ${id} => owner${hour}@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.25] C="250 OK"`,
      );
      lines.push(`${stamp(hour, 61)} ${id} Completed`);
    }
    for (let i = 0; i < 60; i++) {
      const id = `1rB${String(i).padStart(3, "0")}-000002-AB`;
      const second = i * 55;
      lines.push(`${stamp(26, second)} cwd=${DIRECTORY} 3 args: /usr/sbin/sendmail -t -i`);
      lines.push(`${stamp(26, second)} ${id} <= root@mx.example.com U=root P=local S=1200`);
      lines.push(
        `${stamp(26, second + 1)} ${id} => victim${i}@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27] C="250 2.0.0 OK"`,
      );
      lines.push(`${stamp(26, second + 1)} ${id} Completed`);
    }
    lines.sort((a, b) => a.slice(0, 19).localeCompare(b.slice(0, 19)));
    return `${lines.join("\n")}\n`;
  }

  test("ls command quotes the directory", async () => {
    const [script] = findingOf(await diagnoseText(eximLog(), { year: 2024 }), "web-script");
    const fixes = script?.fix.join("\n") ?? "";
    const ls = commandOf(fixes, "ls -la");

    expect((script?.evidence as { workingDirectory?: string }).workingDirectory).toBe(DIRECTORY);
    expect(ls).toBe(`ls -la '${DIRECTORY}'`);
    expect(argumentsOf(ls ?? "")).toEqual(["-la", DIRECTORY]);
  });
});

describe("web-script fix of a local user", () => {
  test("crontab command names the user", async () => {
    const log = new PostfixLog("mx");
    for (let hour = 0; hour < 48; hour += 2) {
      log.pickup({
        time: T0 + hour * HOUR + 300_000,
        uid: 33,
        user: "www-data",
        recipients: [{ address: `owner${hour}@example.net` }],
      });
    }
    for (let i = 0; i < 60; i++) {
      log.pickup({
        time: T0 + 26 * HOUR + i * 55_000,
        uid: 1002,
        user: "Site.Owner",
        recipients: [{ address: `victim${i}@gmail.com`, outcome: GMAIL_RATE_LIMIT }],
      });
    }
    const [script] = findingOf(await diagnoseText(log.text(), { year: 2024 }), "web-script");
    const fixes = script?.fix.join("\n") ?? "";

    expect(fixes).toContain("`crontab -l -u Site.Owner`");
    expect(fixes).toContain("`ps -u Site.Owner`");
  });
});
