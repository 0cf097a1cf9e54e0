import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const REJECT =
  "smtpd[300]: NOQUEUE: reject: MAIL from b.example.com[192.0.2.11]: 452 4.3.1 Insufficient " +
  "system storage; proto=ESMTP helo=<b.example.com>";
const WARNING =
  "smtpd[300]: warning: not enough free space in mail queue: 1000 bytes < 1.5*message size limit";

/**
 * Returns a log of one host where the instance `full` rejects a client every 3 minutes for
 * 15 minutes, while the instance `accepting` receives and delivers a message in between.
 * Without `warnings`, the free-space warnings are left out, as in a `grep reject:` extract.
 */
function twoInstanceLog(full: string, accepting: string, warnings: boolean): string {
  const lines: string[] = [];
  for (let index = 0; index < 6; index++) {
    const minute = 10 + index * 3;
    const at = `Mar  4 10:${minute}`;
    const id = `${index.toString().padStart(5, "0")}ABCDE`;
    lines.push(`${at}:00 mx1 ${full}/${REJECT}`);
    if (warnings) lines.push(`${at}:00 mx1 ${full}/${WARNING}`);
    lines.push(
      `${at}:30 mx1 ${accepting}/smtpd[100]: ${id}: client=a.example.com[192.0.2.10]`,
      `${at}:30 mx1 ${accepting}/qmgr[102]: ${id}: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)`,
      `${at}:31 mx1 ${accepting}/smtp[103]: ${id}: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK 1709543702 x1si123 - gsmtp)`,
      `${at}:31 mx1 ${accepting}/qmgr[102]: ${id}: removed`,
    );
  }
  return `${lines.join("\n")}\n`;
}

// The Server faults section of a text report, with its lines joined.
function faultsSection(text: string): string {
  const section = text.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";
  return section.replace(/\s+/g, " ");
}

describe("queue disk of one Postfix instance", () => {
  test.each([
    ["with warnings", true],
    ["without warnings", false],
  ])("other instance's mail, %s", async (_name, warnings) => {
    const diagnosis = await diagnoseText(twoInstanceLog("postfix-out", "postfix", warnings), {
      year: 2024,
    });
    const report = diagnosis.queueSpace;

    expect(report?.rejects).toBe(6);
    expect(report?.acceptedMessages).toBe(0);
    expect(report?.confirmed).toBe(true);
    expect(report?.instances).toEqual(["postfix-out"]);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("same instance's mail ends the runs", async () => {
    const diagnosis = await diagnoseText(twoInstanceLog("postfix-out", "postfix-out", false), {
      year: 2024,
    });
    const report = diagnosis.queueSpace;

    expect(report?.acceptedMessages).toBe(5);
    expect(report?.confirmed).toBe(false);
    expect(report?.instances).toEqual(["postfix-out"]);
  });

  test("default instance full, other accepts", async () => {
    const diagnosis = await diagnoseText(twoInstanceLog("postfix", "postfix-out", false), {
      year: 2024,
    });
    const report = diagnosis.queueSpace;

    expect(report?.acceptedMessages).toBe(0);
    expect(report?.confirmed).toBe(true);
    expect(report?.instances).toEqual(["postfix"]);
  });

  test("text names the instance and exits 1", async () => {
    const log = temporary.file(twoInstanceLog("postfix-out", "postfix", true));
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const markdown = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--year",
      "2024",
      "--format",
      "markdown",
      log,
    ]);
    const section = faultsSection(text.stdout);

    expect(text.code).toBe(1);
    expect(markdown.code).toBe(1);
    expect(section).toContain("10:25:00 in the Postfix instance postfix-out.");
    expect(section).toContain("no mail comes in");
    expect(section).not.toContain("still accepted");
    expect(section).toContain("`postmulti -i postfix-out -x postconf -h queue_directory`");
    expect(section).not.toContain("(`postconf -h queue_directory`");
    expect(markdown.stdout).toContain("`postmulti -i postfix-out -x postconf -h queue_directory`");
  });

  test("extract without warnings is a fault", async () => {
    const log = temporary.file(twoInstanceLog("postfix-out", "postfix", false));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "--format", "json", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;

    expect(json.code).toBe(1);
    expect(parsed.queueSpace?.confirmed).toBe(true);
    expect(parsed.queueSpace?.acceptedMessages).toBe(0);
  });

  test("default instance keeps the plain fix", async () => {
    const log = temporary.file(twoInstanceLog("postfix", "postfix-out", true));
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const section = faultsSection(text.stdout);

    expect(text.code).toBe(1);
    expect(section).not.toContain("Postfix instance");
    expect(section).toContain("(`postconf -h queue_directory`, usually /var/spool/postfix)");
  });

  test("lines of two instances name both", async () => {
    const lines = [
      `Mar  4 10:10:00 mx1 postfix/${WARNING}`,
      `Mar  4 10:11:00 mx1 postfix-out/${WARNING}`,
    ];
    const log = temporary.file(`${lines.join("\n")}\n`);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;
    const section = faultsSection(text.stdout);

    expect(parsed.queueSpace?.instances).toEqual(["postfix", "postfix-out"]);
    expect(section).toContain("in the Postfix instances postfix, postfix-out.");
    expect(section).toContain("`postconf -h queue_directory` for the default instance postfix");
    expect(section).toContain("`postmulti -i NAME -x postconf -h queue_directory`");
  });
});
