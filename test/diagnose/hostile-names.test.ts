import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { installedShells, shellArguments } from "../helpers/shell.js";

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

/**
 * Runs `command` with its program replaced by printf in each installed shell (see
 * `installedShells`), and returns the words that each shell passed, by shell name.
 */
function argumentsOf(command: string): Record<string, string[]> {
  const words = command.slice(command.indexOf(" ") + 1);
  const received: Record<string, string[]> = {};
  for (const shell of installedShells()) {
    received[shell] = shellArguments(shell, words).map((bytes) => bytes.toString("utf8"));
  }
  return received;
}

/** Returns `words` for each installed shell, to compare with `argumentsOf`. */
function inEachShell(words: string[]): Record<string, string[]> {
  return Object.fromEntries(installedShells().map((shell) => [shell, words]));
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

  test("queue command quotes the sender", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["ni|aj`x"])),
      "compromised-account",
    );
    const fixes = found?.fix.join("\n") ?? "";

    expect(fixes).toContain("`` mailq | tail -n +2 | SENDER='ni|aj`x' awk");
    expect(fixes).not.toContain("SENDER=ni|aj");
  });

  test("shell passes the name as one word", async () => {
    const [found] = findingOf(
      await diagnoseText(compromisedLog(["ni|aj`x"])),
      "compromised-account",
    );
    const kick = commandOf(found?.fix[0] ?? "", "doveadm kick");

    expect(kick).toBeDefined();
    expect(argumentsOf(kick ?? "")).toEqual(inEachShell(["kick", "ni|aj`x"]));
  });

  test("hidden character reaches shells", async () => {
    const account = "ni\u202eaj@example.com";
    const [found] = findingOf(await diagnoseText(compromisedLog([account])), "compromised-account");
    const kick = commandOf(found?.fix[0] ?? "", "doveadm kick");
    const queue = commandOf(found?.fix[1] ?? "", "mailq");

    expect(kick).toBe(`doveadm kick "$(printf 'ni\\342\\200\\256aj@example.com')"`);
    expect(argumentsOf(kick ?? "")).toEqual(inEachShell(["kick", account]));
    expect(queue).toContain(`SENDER="$(printf 'ni\\342\\200\\256aj@example.com')" awk`);
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
    expect(argumentsOf(ls ?? "")).toEqual(inEachShell(["-la", DIRECTORY]));
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
