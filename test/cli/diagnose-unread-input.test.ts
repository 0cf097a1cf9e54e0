import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

// A small readable file beside the file that contains the deliveries: two smtpd rejects.
const REJECTS = [
  "Mar  4 09:45:07 mx1 postfix/smtpd[4000]: NOQUEUE: reject: RCPT from unknown[192.0.2.50]: 554 5.7.1 <x@example.org>: Relay access denied; from=<a@example.net> to=<x@example.org> proto=ESMTP helo=<client.example.org>",
  "Mar  4 09:50:07 mx1 postfix/smtpd[4001]: NOQUEUE: reject: RCPT from unknown[192.0.2.50]: 554 5.7.1 <y@example.org>: Relay access denied; from=<a@example.net> to=<y@example.org> proto=ESMTP helo=<client.example.org>",
].join("\n");

function postfixText(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

// The messages of `journalctl -o cat`: no time, host or program.
function catText(): string {
  return postfixText()
    .split("\n")
    .map((line) => line.replace(/^.*?\]: /, ""))
    .join("\n");
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

// The lines as `journalctl -o with-unit` writes them on Debian: the weekday, the time in UTC,
// and the unit `postfix@-.service` in place of every Postfix tag.
function withUnitText(): string {
  return postfixText().replace(
    /^(\S+)T(\d\d:\d\d:\d\d)\.\d+\+00:00 (\S+) postfix\/[\w/-]+\[/gm,
    (_, date: string, time: string, host: string) => {
      const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? "";
      return `${weekday} ${date} ${time} UTC ${host} postfix@-.service[`;
    },
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("diagnose with an unread input", () => {
  test("cat export beside rejects exits 2", async () => {
    const cat = temporary.file(catText(), "postfix.txt");
    const warn = temporary.file(`${REJECTS}\n`, "mail.warn");
    const result = await runCommand([...OFFLINE_DIAGNOSE, cat, warn]);

    expect(result.code).toBe(2);
    const verdict = oneLine(result.stdout.split("Providers")[0] ?? "");
    expect(verdict).toContain(`${cat} could not be read:`);
    expect(verdict).toContain("`journalctl -o cat` output");
    expect(verdict).toContain("`journalctl -o short-iso`");
    expect(result.stdout).not.toContain("Leave it out of the inputs");
    expect(oneLine(result.stderr)).toContain(`delist: ${cat} could not be read:`);
  });

  test("stderr messages wrap at 80", async () => {
    const cat = temporary.file(catText(), "postfix.txt");
    const warn = temporary.file(`${REJECTS}\n`, "mail.warn");
    const result = await runCommand([...OFFLINE_DIAGNOSE, cat, warn]);
    const lines = result.stderr.trimEnd().split("\n");

    expect(oneLine(result.stderr)).toContain("`journalctl -o short-iso`");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line.length, line).toBeLessThanOrEqual(80);
      expect(line.startsWith("delist: ") || line.startsWith("  "), line).toBe(true);
    }
  });

  test("headline counts unread inputs", async () => {
    const log = temporary.file(postfixText(), "mail.log");
    const cat = temporary.file(catText(), "postfix.txt");
    const text = await runCommand([...OFFLINE_DIAGNOSE, log, cat]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log, cat]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log, cat]);

    expect(text.code).toBe(2);
    expect(text.stdout).toContain("\nVerdict: OK FOR THE LOGS READ, 1 INPUT NOT READ\n");
    expect(markdown.stdout).toContain("**Verdict: ok for the logs read, 1 input not read.**");
    const document = JSON.parse(json.stdout) as { verdict: Record<string, unknown> };
    expect(validateDiagnosis(document)).toEqual([]);
    expect(document.verdict["status"]).toBe("ok");
    expect(document.verdict["inputsNotRead"]).toEqual([cat]);
  });

  test("headline without unread inputs", async () => {
    const log = temporary.file(postfixText(), "mail.log");
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);

    expect(text.stdout).toContain("\nVerdict: OK\n");
    const verdict = (JSON.parse(json.stdout) as { verdict: Record<string, unknown> }).verdict;
    expect(verdict["inputsNotRead"]).toEqual([]);
  });

  test("names unread lines of a mail log", async () => {
    const text = "one unread line\n".repeat(20) + "Mar  4 09:45:07 mx1 postfix/smtpd[1]: x\n";
    const unread = temporary.file(text, "mail.log");
    const warn = temporary.file(`${REJECTS}\n`, "mail.warn");
    const result = await runCommand([...OFFLINE_DIAGNOSE, unread, warn]);

    expect(result.code).toBe(2);
    expect(oneLine(result.stdout)).toContain("20 of its 21 non-blank lines have no log format");
    expect(oneLine(result.stdout)).toContain("`journalctl -u 'postfix*' -o json`");
  });

  test("explains an empty journal query", async () => {
    const empty = temporary.file("-- No entries --\n", "journal.txt");
    const warn = temporary.file(`${REJECTS}\n`, "mail.warn");
    const result = await runCommand([...OFFLINE_DIAGNOSE, empty, warn]);

    expect(result.code).toBe(2);
    expect(oneLine(result.stdout)).toContain("the journal query matched nothing");
    expect(oneLine(result.stdout)).toContain("postfix@-.service");
  });

  test("UTF-16 log beside rejects is read", async () => {
    const text = postfixText().replaceAll("\n", "\r\n");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const plainRun = await runCommand([
      ...OFFLINE_DIAGNOSE,
      temporary.file(text, "mail.log"),
      temporary.file(`${REJECTS}\n`, "mail.warn"),
    ]);
    const path = temporary.file(utf16, "mail-utf16.log");
    const warn = temporary.file(`${REJECTS}\n`, "mail.warn");
    const result = await runCommand([...OFFLINE_DIAGNOSE, path, warn]);

    expect(result.code).toBe(plainRun.code);
    const firstLine = (run: { stdout: string }): string => run.stdout.split("\n")[0] ?? "";
    expect(firstLine(result)).toBe(firstLine(plainRun));
    expect(oneLine(result.stdout)).toContain(`${path} is UTF-16 text`);
    expect(result.stdout).not.toContain("binary file");
  });

  test("with-unit export reads as Postfix", async () => {
    const withUnit = withUnitText();
    const log = temporary.file(postfixText(), "mail.log");
    const unit = temporary.file(withUnit, "node1-withunit.txt");
    const classic = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", unit]);

    expect(withUnit).toContain(" postfix@-.service[");
    expect(withUnit).not.toContain("postfix/");
    expect(result.code).toBe(classic.code);
    const parsed = (run: { stdout: string }): Record<string, unknown> =>
      JSON.parse(run.stdout) as Record<string, unknown>;
    expect(parsed(result)["providers"]).toEqual(parsed(classic)["providers"]);
    expect(parsed(result)["verdict"]).toEqual(parsed(classic)["verdict"]);
  });

  test("empty mail.err changes nothing", async () => {
    const log = temporary.file(postfixText(), "mail.log");
    const empty = temporary.file("", "mail.err");
    const result = await runCommand([...OFFLINE_DIAGNOSE, log, empty]);

    expect(result.code).not.toBe(2);
    expect(result.stdout).not.toContain("could not be read");
  });

  test("README beside a log keeps its note", async () => {
    const log = temporary.file(postfixText(), "mail.log");
    const readme = temporary.file("Logs of mx1, copied on Monday.\n", "README.txt");
    const result = await runCommand([...OFFLINE_DIAGNOSE, log, readme]);

    expect(result.code).not.toBe(2);
    expect(oneLine(result.stdout)).toContain("held no log lines");
  });

  test("a note named like a mail file keeps its note", async () => {
    const folder = temporary.folder({
      "mail/mail.log": postfixText(),
      "mail/README.md": "Logs of mx1, copied on Monday.\n",
      "mail/mail-notes.txt": "Ask Sam before you rotate these.\n",
    });
    const result = await runCommand([...OFFLINE_DIAGNOSE, `${folder}/mail`]);

    expect(result.code).not.toBe(2);
    expect(result.stdout).not.toContain("could not be read");
    expect(oneLine(result.stdout)).toContain("mail-notes.txt held no log lines");
  });

  test("cat export alone names the mode", async () => {
    const cat = temporary.file(catText(), "postfix.txt");
    const result = await runCommand([...OFFLINE_DIAGNOSE, cat]);

    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain("It looks like `journalctl -o cat` output");
  });

  test("json-pretty alone names the mode", async () => {
    const pretty = '{\n\t"__CURSOR" : "s=1",\n\t"MESSAGE" : "connect from x"\n}\n';
    const path = temporary.file(pretty, "journal.json");
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain("`journalctl -o json-pretty` output");
  });
});
