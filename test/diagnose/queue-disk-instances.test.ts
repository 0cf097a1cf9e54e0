import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
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
 * With `started`, master of `full` logs its start first, which shows `full` to be an instance.
 */
function twoInstanceLog(
  full: string,
  accepting: string,
  warnings: boolean,
  started = false,
): string {
  const lines: string[] = [];
  if (started) {
    lines.push(
      `Mar  4 10:00:00 mx1 ${full}/master[90]: daemon started -- version 3.7.11, configuration /etc/${full}`,
    );
  }
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
    const log = temporary.file(twoInstanceLog("postfix-out", "postfix", true, true));
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
      "Mar  4 10:00:00 mx1 postfix-out/postfix-script[80]: starting the Postfix mail system",
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

/**
 * Returns a log where the lines of `name` reject a client every 3 minutes for 15 minutes with
 * free-space warnings, after `before`.
 */
function rejectsOf(name: string, before: readonly string[]): string {
  const lines = [...before];
  for (let index = 0; index < 6; index++) {
    const at = `Mar  4 10:${10 + index * 3}:00`;
    lines.push(`${at} mx1 ${name}/${REJECT}`, `${at} mx1 ${name}/${WARNING}`);
  }
  return `${lines.join("\n")}\n`;
}

// A message that the submission service `postfix-submission` received and the default
// instance's cleanup and queue manager took over, as with `-o syslog_name=postfix-submission`.
const ALIAS_MESSAGE = [
  "Mar  4 10:05:00 mx1 postfix-submission/smtpd[200]: 0A1B2C3D4E: client=a.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice",
  "Mar  4 10:05:00 mx1 postfix/cleanup[201]: 0A1B2C3D4E: message-id=<m1@example.com>",
  "Mar  4 10:05:00 mx1 postfix/qmgr[202]: 0A1B2C3D4E: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)",
  "Mar  4 10:05:01 mx1 postfix/smtp[203]: 0A1B2C3D4E: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "Mar  4 10:05:01 mx1 postfix/qmgr[202]: 0A1B2C3D4E: removed",
];

describe("queue disk of a syslog_name alias", () => {
  test("alias gets its instance's queue", async () => {
    const log = temporary.file(rejectsOf("postfix-submission", ALIAS_MESSAGE));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;
    const section = faultsSection(text.stdout);

    expect(validateDiagnosis(parsed)).toEqual([]);
    expect(parsed.queueSpace?.instances).toEqual(["postfix-submission"]);
    expect(parsed.queueSpace?.instanceKinds).toEqual([
      { name: "postfix-submission", kind: "alias", owner: "postfix" },
    ]);
    expect(section).toContain("10:25:00 in the lines of postfix-submission.");
    expect(section).toContain("(`postconf -h queue_directory`, usually /var/spool/postfix)");
    expect(section).toContain(
      "postfix-submission is no Postfix instance but the `-o syslog_name` of a master.cf service of the instance postfix",
    );
    expect(section).not.toContain("postmulti -i postfix-submission");
  });

  test("alias of a second instance", async () => {
    const message = ALIAS_MESSAGE.map((line) =>
      line.replace(" postfix/", " postfix-out/").replace("postfix-submission/", "postfix-out-sub/"),
    );
    const diagnosis = await diagnoseText(rejectsOf("postfix-out-sub", message), { year: 2024 });
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(diagnosis.queueSpace?.instanceKinds).toEqual([
      { name: "postfix-out-sub", kind: "alias", owner: "postfix-out" },
    ]);
    expect(text).toContain("`postmulti -i postfix-out -x postconf -h queue_directory`");
    expect(text).not.toContain("postmulti -i postfix-out-sub");
  });

  test("unknown name gets both commands", async () => {
    const log = temporary.file(rejectsOf("postfix-sub", []));
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const diagnosis = await diagnoseText(rejectsOf("postfix-sub", []), { year: 2024 });
    const section = faultsSection(text.stdout);

    expect(diagnosis.queueSpace?.instanceKinds).toEqual([
      { name: "postfix-sub", kind: "unknown", owner: null },
    ]);
    expect(section).toContain("10:25:00 in the lines of postfix-sub.");
    expect(section).toContain("the file system of the queue directory that postfix-sub uses");
    expect(section).toContain(
      "The log does not show whether postfix-sub is a Postfix instance or the `-o syslog_name=postfix-sub` of a master.cf service",
    );
    expect(section).toContain("`postmulti -i postfix-sub -x postconf -h queue_directory`");
    expect(section).toContain("`postconf -h queue_directory`");
    expect(section).not.toContain("Postfix instance postfix-sub.");
  });

  test("own queue manager shows an instance", async () => {
    const qmgr =
      "Mar  4 10:05:00 mx1 postfix-out/qmgr[202]: 0A1B2C3D4E: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)";
    const diagnosis = await diagnoseText(rejectsOf("postfix-out", [qmgr]), { year: 2024 });
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(diagnosis.queueSpace?.instanceKinds).toEqual([
      { name: "postfix-out", kind: "instance", owner: null },
    ]);
    expect(text).toContain("in the Postfix instance postfix-out.");
    expect(text).not.toContain("The log does not show whether");
  });

  test("with-unit lines show an instance", async () => {
    // `journalctl -o with-unit` prints the unit `postfix@postfix-out.service` in place of the tag.
    const lines = rejectsOf("postfix-out", [])
      .trimEnd()
      .split("\n")
      .map((line) =>
        line.replace(
          /^Mar {2}4 (\S+) mx1 postfix-out\/smtpd\[300\]/,
          "Mon 2024-03-04 $1 UTC mx1 postfix@postfix-out.service[300]",
        ),
      );
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`, { year: 2024 });

    expect(diagnosis.queueSpace?.rejects).toBe(6);
    expect(diagnosis.queueSpace?.instanceKinds).toEqual([
      { name: "postfix-out", kind: "instance", owner: null },
    ]);
  });
});
