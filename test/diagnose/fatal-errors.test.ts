import { expect, test } from "vitest";
import { FATAL_KINDS_SHOWN } from "../../src/diagnose/fatal-errors.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const DELIVERY = [
  "Mar  4 09:00:00 mx1 postfix/qmgr[902]: 4B7E21C0A3: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)",
  "Mar  4 09:00:01 mx1 postfix/smtp[903]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
];

const FATAL_LINES = [
  "Mar  4 10:15:00 mx1 postfix/sendmail[3072]: fatal: Recipient addresses must be specified on the command line or via the -t option",
  "Mar  4 10:16:00 mx1 postfix[3281]: fatal: open /etc/postfix/main.cf: No such file or directory",
  "Mar  4 10:17:30 mx1 postfix/postfix-script[3290]: fatal: the Postfix mail system is not running",
  "Mar  4 10:18:00 mx1 postfix/master[3300]: fatal: bind 0.0.0.0 port 25: Address already in use",
  "Mar  4 10:18:01 mx1 postfix/postfix-script[3301]: fatal: mail system startup failed",
];

/** Missing lookup tables of two daemons, with other paths and process ids on each line. */
const TABLE_LINES = [
  "Mar  4 11:00:00 mx1 postfix/smtpd[4001]: fatal: open database /etc/postfix/virtual.db: No such file or directory",
  "Mar  4 11:05:00 mx1 postfix/smtpd[4002]: fatal: open database /etc/postfix/transport.db: No such file or directory",
  "Mar  4 11:10:00 mx1 postfix/cleanup[4003]: fatal: open database /etc/postfix/virtual.db: No such file or directory",
  "Mar  4 11:20:00 mx1 postfix/smtpd[4004]: fatal: open database /etc/postfix/virtual.db: No such file or directory",
  "Mar  4 11:30:00 mx1 postfix/master[4005]: fatal: bind 192.0.2.10 port 587: Address already in use",
];

test("fatal lines become fatal errors", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ...FATAL_LINES, ""].join("\n"), {
    year: 2024,
  });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);

  const failures = diagnosis.mtaFatalErrors;
  expect(failures?.count).toBe(3);
  expect(failures?.first).toBe("2024-03-04T10:16:00Z");
  expect(failures?.last).toBe("2024-03-04T10:18:01Z");
  expect(failures?.sample.text).toBe(
    "postfix: fatal: open /etc/postfix/main.cf: No such file or directory",
  );
  expect(failures?.sample.line).toBe(4);
  expect(failures?.sample.time).toBe("2024-03-04T10:16:00Z");
  expect(failures?.kindCount).toBe(3);
  expect(failures?.kindsExact).toBe(true);
  expect(failures?.otherLines).toBe(0);
  expect(failures?.ongoing).toBe(true);
  expect(failures?.kinds.map((kind) => kind.host)).toEqual([null, null, null]);
  expect(failures?.kinds.map((kind) => kind.cause)).toEqual([
    "missing-config-file",
    "port-in-use",
    "follows-other-error",
  ]);
});

test("fatal lines group by program and kind", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ...TABLE_LINES, ""].join("\n"), {
    year: 2024,
  });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);

  const failures = diagnosis.mtaFatalErrors;
  expect(failures?.count).toBe(5);
  expect(failures?.kindCount).toBe(3);
  expect(failures?.kinds).toHaveLength(3);

  const [smtpd, cleanup, master] = failures?.kinds ?? [];
  expect(smtpd?.program).toBe("postfix/smtpd");
  expect(smtpd?.kind).toBe("fatal: open database <path>: No such file or directory");
  expect(smtpd?.count).toBe(3);
  expect(smtpd?.first).toBe("2024-03-04T11:00:00Z");
  expect(smtpd?.last).toBe("2024-03-04T11:20:00Z");
  expect(smtpd?.cause).toBe("missing-lookup-table");
  expect(smtpd?.fix).toContain("`postmap`");
  expect(smtpd?.sample.text).toBe(
    "postfix/smtpd: fatal: open database /etc/postfix/virtual.db: No such file or directory",
  );
  expect(smtpd?.sample.line).toBe(3);

  // One line each: the earlier one comes first.
  expect(cleanup?.program).toBe("postfix/cleanup");
  expect(cleanup?.count).toBe(1);
  expect(master?.program).toBe("postfix/master");
  expect(master?.kind).toBe("fatal: bind N.N.N.N port N: Address already in use");
  expect(master?.cause).toBe("port-in-use");
});

test("fatal kind long before log end", async () => {
  const later = [
    "Mar  4 14:00:00 mx1 postfix/qmgr[902]: 5C8F32D1B4: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)",
    "Mar  4 14:00:01 mx1 postfix/smtp[903]: 5C8F32D1B4: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
  ];
  const lines = [
    ...DELIVERY,
    ...TABLE_LINES.slice(0, 4),
    "Mar  4 13:30:00 mx1 postfix/master[4005]: fatal: bind 192.0.2.10 port 587: Address already in use",
    ...later,
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  const failures = diagnosis.mtaFatalErrors;
  const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

  expect(failures?.ongoing).toBe(true);
  expect(failures?.kinds[0]?.ongoing).toBe(false);
  expect(failures?.kinds[2]?.ongoing).toBe(true);
  expect(text).toContain(
    "postfix/smtpd: 3 fatal lines from 2024-03-04 11:00:00 to 2024-03-04 11:20:00, none in the last two hours of the log",
  );
  expect(text).toContain(
    "postfix/master: 1 fatal line at 2024-03-04 13:30:00, still in the last two hours of the log",
  );
});

test("master start ends start failure", async () => {
  const lines = [
    ...DELIVERY,
    "Mar  4 09:30:00 mx1 postfix/smtp[3001]: fatal: unknown service: private/dovecot-lmtp/tcp",
    "Mar  4 10:00:00 mx1 postfix/postfix-script[3100]: starting the Postfix mail system",
    "Mar  4 10:00:00 mx1 postfix/master[3102]: fatal: bind 0.0.0.0 port 25: Address already in use",
    "Mar  4 10:00:01 mx1 postfix/master[3101]: fatal: daemon initialization failure",
    "Mar  4 10:00:02 mx1 postfix/postfix-script[3103]: fatal: mail system startup failed",
    "Mar  4 10:05:00 mx1 postfix/postfix-script[3200]: starting the Postfix mail system",
    "Mar  4 10:05:00 mx1 postfix/master[3202]: daemon started -- version 3.6.4, configuration /etc/postfix",
    "Mar  4 10:30:00 mx1 postfix/smtp[3301]: fatal: unknown service: private/dovecot-lmtp/tcp",
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;
  const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
  const byProgram = (program: string, cause: string) =>
    failures?.kinds.find((kind) => kind.program === program && kind.cause === cause);

  expect(failures?.kindCount).toBe(4);
  expect(failures?.ongoing).toBe(true);
  expect(byProgram("postfix/master", "port-in-use")?.masterStartedAfter).toBe(true);
  expect(byProgram("postfix/master", "port-in-use")?.ongoing).toBe(false);
  expect(byProgram("postfix/master", "follows-other-error")?.ongoing).toBe(false);
  expect(byProgram("postfix/postfix-script", "follows-other-error")?.ongoing).toBe(false);
  expect(byProgram("postfix/smtp", "unknown-service-name")?.masterStartedAfter).toBe(false);
  expect(byProgram("postfix/smtp", "unknown-service-name")?.ongoing).toBe(true);
  expect(text).toContain(
    "postfix/master: 1 fatal line at 2024-03-04 10:00:00, then Postfix master started",
  );
});

test("start on another host ends nothing", async () => {
  const lines = [
    ...DELIVERY,
    "Mar  4 10:00:00 mx1 postfix/master[100]: fatal: bind 0.0.0.0 port 25: Address already in use",
    "Mar  4 10:00:10 mx1 postfix/postfix-script[99]: fatal: mail system startup failed",
    "Mar  4 10:01:00 mx2 postfix/postfix-script[200]: starting the Postfix mail system",
    "Mar  4 10:01:00 mx2 postfix/master[201]: daemon started -- version 3.7.11, configuration /etc/postfix",
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;
  const master = failures?.kinds.find((kind) => kind.program === "postfix/master");
  const text = renderDiagnosisText(diagnosis, painter(false));
  const markdown = renderDiagnosisMarkdown(diagnosis);

  expect(master?.host).toBe("mx1");
  expect(master?.masterStartedAfter).toBe(false);
  expect(master?.ongoing).toBe(true);
  expect(failures?.ongoing).toBe(true);
  expect(text.replace(/\s+/g, " ")).toContain(
    "postfix/master on mx1: 1 fatal line at 2024-03-04 10:00:00, still in the last two hours of the log",
  );
  expect(text).not.toContain("then Postfix master started");
  for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  expect(markdown).toContain("- postfix/master on mx1: 1 fatal line at 2024-03-04 10:00:00");
});

test("start of another instance ends nothing", async () => {
  const lines = [
    ...DELIVERY,
    "Mar  4 10:00:00 mx1 postfix/master[100]: fatal: bind 0.0.0.0 port 25: Address already in use",
    "Mar  4 10:00:00 mx1 postfix-out/master[110]: fatal: bind 0.0.0.0 port 587: Address already in use",
    "Mar  4 10:01:00 mx1 postfix-out/postfix-script[200]: starting the Postfix mail system",
    "Mar  4 10:01:00 mx1 postfix-out/master[201]: daemon started -- version 3.7.11, configuration /etc/postfix-out",
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;
  const master = failures?.kinds.find((kind) => kind.program === "postfix/master");
  const outMaster = failures?.kinds.find((kind) => kind.program === "postfix-out/master");

  expect(failures?.kindCount).toBe(2);
  expect(master?.masterStartedAfter).toBe(false);
  expect(master?.ongoing).toBe(true);
  expect(outMaster?.masterStartedAfter).toBe(true);
  expect(outMaster?.ongoing).toBe(false);
  expect(failures?.ongoing).toBe(true);
});

test("journal units keep instances apart", async () => {
  // Both instances keep the default `syslog_name`, so their lines differ only in the unit.
  const entry = (minute: number, unit: string, program: string, message: string) =>
    JSON.stringify({
      __REALTIME_TIMESTAMP: String(Date.UTC(2024, 2, 4, 10, minute) * 1000),
      _HOSTNAME: "mx1",
      SYSLOG_IDENTIFIER: program,
      SYSLOG_PID: "100",
      _SYSTEMD_UNIT: unit,
      MESSAGE: message,
    });
  const lines = [
    entry(
      0,
      "postfix@-.service",
      "postfix/master",
      "fatal: bind 0.0.0.0 port 25: Address already in use",
    ),
    entry(
      1,
      "postfix@postfix-out.service",
      "postfix/master",
      "daemon started -- version 3.7.11, configuration /etc/postfix-out",
    ),
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  const master = diagnosis.mtaFatalErrors?.kinds[0];

  expect(diagnosis.mtaFatalErrors?.kindCount).toBe(1);
  expect(master?.program).toBe("postfix/master");
  expect(master?.masterStartedAfter).toBe(false);
  expect(master?.ongoing).toBe(true);
});

test("with-unit bind failure is master's", async () => {
  const bind = "fatal: bind 0.0.0.0 port 25: Address already in use";
  const json = JSON.stringify({
    __REALTIME_TIMESTAMP: String(Date.UTC(2024, 2, 4, 10, 0) * 1000),
    _HOSTNAME: "mx1",
    SYSLOG_IDENTIFIER: "postfix/master",
    SYSLOG_PID: "501",
    _SYSTEMD_UNIT: "postfix@postfix-out.service",
    MESSAGE: bind,
  });
  const withUnit = `Mon 2024-03-04 10:00:00 UTC mx1 postfix@postfix-out.service[501]: ${bind}`;
  const cut = `Mar  4 10:00:00 mx1 postfix[501]: ${bind}`;
  const fromJson = await diagnoseText(`${json}\n`, { year: 2024 });
  const fromWithUnit = await diagnoseText(`${withUnit}\n`, { year: 2024 });
  const fromCut = await diagnoseText(`${cut}\n`, { year: 2024 });

  expect(fromJson.mtaFatalErrors?.kinds[0]?.program).toBe("postfix-out/master");
  expect(fromWithUnit.mtaFatalErrors?.kinds[0]?.program).toBe("postfix-out/master");
  expect(fromWithUnit.mtaFatalErrors?.kinds[0]?.kind).toBe(fromJson.mtaFatalErrors?.kinds[0]?.kind);
  expect(fromCut.mtaFatalErrors?.kinds[0]?.program).toBe("postfix/master");
});

test("with-unit start names its instance", async () => {
  const head = "Mon 2024-03-04 10:0";
  const lines = [
    ...DELIVERY,
    `${head}0:00 UTC mx1 postfix@postfix-out.service[501]: fatal: bind 0.0.0.0 port 25: Address already in use`,
    `${head}1:00 UTC mx1 postfix@postfix-out.service[502]: daemon started -- version 3.7.11, configuration /etc/postfix-out`,
    `${head}2:00 UTC mx1 postfix@-.service[503]: fatal: bind 0.0.0.0 port 587: Address already in use`,
    `${head}3:00 UTC mx1 postfix@postfix-out.service[504]: daemon started -- version 3.7.11, configuration /etc/postfix-out`,
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  const kinds = diagnosis.mtaFatalErrors?.kinds ?? [];
  const outMaster = kinds.find((kind) => kind.program === "postfix-out/master");
  const master = kinds.find((kind) => kind.program === "postfix/master");
  const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

  expect(outMaster?.masterStartedAfter).toBe(true);
  expect(master?.masterStartedAfter).toBe(false);
  expect(master?.ongoing).toBe(true);
  expect(text).toContain("then master of the Postfix instance postfix-out started");
  expect(text).not.toContain("then Postfix master started");
});

test("start on the same host of a central log", async () => {
  const lines = [
    ...DELIVERY,
    "Mar  4 10:00:00 mx2 postfix/master[100]: fatal: bind 0.0.0.0 port 25: Address already in use",
    "Mar  4 10:01:00 mx2 postfix/master[201]: daemon started -- version 3.7.11, configuration /etc/postfix",
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  const master = diagnosis.mtaFatalErrors?.kinds[0];
  const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

  expect(master?.host).toBe("mx2");
  expect(master?.masterStartedAfter).toBe(true);
  expect(master?.ongoing).toBe(false);
  expect(text).toContain(
    "postfix/master on mx2: 1 fatal line at 2024-03-04 10:00:00, then Postfix master started on mx2",
  );
});

test("fatal errors in text and Markdown", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ...FATAL_LINES, ""].join("\n"), {
    year: 2024,
  });
  const text = renderDiagnosisText(diagnosis, painter(false));
  const flat = text.replace(/\s+/g, " ");
  const markdown = renderDiagnosisMarkdown(diagnosis);

  expect(text).toContain("\nMTA fatal errors\n");
  expect(flat).toContain(
    "3 fatal lines of the MTA's start command or daemons, from 2024-03-04 10:16:00 to 2024-03-04 10:18:01. They fall into 3 kinds.",
  );
  expect(flat).toContain(
    "postfix/master: 1 fatal line at 2024-03-04 10:18:00, still in the last two hours of the log",
  );
  expect(flat).toContain(
    "mail.log:6: postfix/master: fatal: bind 0.0.0.0 port 25: Address already in use",
  );
  expect(flat).toContain("Fix: Another process already listens on that address and port");
  expect(text).toMatch(/\n {4}first: \S+mail\.log:4: postfix: fatal: open/);
  expect(text).not.toContain("more kind");
  for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);

  expect(markdown).toContain("MTA fatal errors: 3 fatal lines");
  expect(markdown).toContain(
    "`postfix: fatal: open /etc/postfix/main.cf: No such file or directory`",
  );
  expect(markdown).toContain(
    "- postfix/master: 1 fatal line at 2024-03-04 10:18:00, still in the last two hours of the log. First: `postfix/master: fatal: bind 0.0.0.0 port 25: Address already in use`",
  );
  expect(markdown).toContain("Fix: Another process already listens");
  expect(markdown).toContain("`ss -ltnp`");
});

test("fatal kinds past the cap", async () => {
  const words = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
  ];
  // Kind k has k + 1 lines, so the two kinds with 1 and 2 lines fall past the cap.
  const lines = words.flatMap((word, kind) =>
    Array.from({ length: kind + 1 }, (_, repeat) => {
      const minute = String(kind * 4 + repeat).padStart(2, "0");
      return `Mar  4 12:${minute}:00 mx1 postfix/smtpd[${5000 + kind * 20 + repeat}]: fatal: example failure ${word}`;
    }),
  );
  const diagnosis = await diagnoseText([...DELIVERY, ...lines, ""].join("\n"), { year: 2024 });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;
  const text = renderDiagnosisText(diagnosis, painter(false));
  const markdown = renderDiagnosisMarkdown(diagnosis);

  expect(failures?.count).toBe(78);
  expect(failures?.kindCount).toBe(12);
  expect(failures?.kinds).toHaveLength(FATAL_KINDS_SHOWN);
  expect(failures?.kinds[0]?.kind).toBe("fatal: example failure lima");
  expect(failures?.kinds[0]?.count).toBe(12);
  expect(failures?.kinds[9]?.kind).toBe("fatal: example failure charlie");
  expect(failures?.otherLines).toBe(3);
  expect(failures?.kinds[0]?.cause).toBe("unknown");
  expect(failures?.kinds[0]?.fix).toBe("Read the full line in the log and run `postfix check`.");
  expect(text).toContain("  and 2 more kinds with 3 lines\n");
  expect(text).not.toContain("example failure alpha");
  expect(markdown).toContain("- and 2 more kinds with 3 lines.");
  for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
});

test("log without fatal lines has none", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ""].join("\n"), { year: 2024 });
  const text = renderDiagnosisText(diagnosis, painter(false));

  expect(diagnosis.mtaFatalErrors).toBeNull();
  expect(text).not.toContain("MTA fatal errors");
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
});

test("Exim lookup files per domain are one kind", async () => {
  const lines = Array.from({ length: 150 }, (_, index) => {
    const second = String(index % 60).padStart(2, "0");
    const minute = String(Math.floor(index / 60)).padStart(2, "0");
    return (
      `2024-03-04 07:${minute}:${second} failed to expand ` +
      '"${lookup{$local_part}lsearch{/etc/exim4/virtual/$domain}}" while checking a list: ' +
      `failed to open /etc/exim4/virtual/d${index}.example for linear search: ` +
      "No such file or directory (euid=101 egid=101)"
    );
  });
  const diagnosis = await diagnoseText([...lines, ""].join("\n"));
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;

  expect(failures?.count).toBe(150);
  expect(failures?.kindCount).toBe(1);
  expect(failures?.kindsExact).toBe(true);
  expect(failures?.otherLines).toBe(0);
  expect(failures?.kinds[0]?.count).toBe(150);
  expect(failures?.kinds[0]?.kind).toContain("failed to open <path> for linear search");
  expect(failures?.kinds[0]?.cause).toBe("exim-missing-file");
  expect(failures?.kinds[0]?.sample.text).toContain("/etc/exim4/virtual/d0.example");
});

test("Exim configuration error joins its reason", async () => {
  const lines = [
    "2024-03-04 07:00:00 Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:",
    '  main option "foo" unknown',
    "2024-03-04 07:05:00 Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:",
    '  main option "foo" unknown',
    "2024-03-04 07:06:00 Exim configuration error in line 9 of /etc/exim4/exim4.conf.template:",
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"));
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;
  const [joined, alone] = failures?.kinds ?? [];

  expect(diagnosis.input.unrecognised).toBe(0);
  expect(failures?.count).toBe(3);
  expect(failures?.kindCount).toBe(2);
  expect(joined?.count).toBe(2);
  expect(joined?.kind).toBe(
    'Exim configuration error in line N of /etc/exim4/exim4.conf.template: main option "foo" unknown',
  );
  expect(joined?.cause).toBe("exim-config-error");
  expect(joined?.sample.text).toBe(
    'exim: Exim configuration error in line 812 of /etc/exim4/exim4.conf.template: main option "foo" unknown',
  );
  expect(joined?.sample.line).toBe(1);
  expect(alone?.kind).toBe("Exim configuration error in line N of /etc/exim4/exim4.conf.template:");
});

test("Exim syslog configuration error joins its reason", async () => {
  const lines = [
    "Mar  4 07:00:00 mx1 exim[77]: [1\\2] 2024-03-04 07:00:00 Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:",
    'Mar  4 07:00:00 mx1 exim[77]: [2/2]   main option "foo" unknown',
    "",
  ];
  const diagnosis = await diagnoseText(lines.join("\n"), { year: 2024 });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  const failures = diagnosis.mtaFatalErrors;

  expect(diagnosis.input.unparsed).toBe(0);
  expect(diagnosis.input.unrecognised).toBe(0);
  expect(failures?.count).toBe(1);
  expect(failures?.kinds[0]?.cause).toBe("exim-config-error");
  expect(failures?.kinds[0]?.sample.text).toBe(
    'exim: Exim configuration error in line 812 of /etc/exim4/exim4.conf.template: main option "foo" unknown',
  );
  expect(failures?.kinds[0]?.sample.line).toBe(1);
});
