import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../src/logs/record.js";
import { LineFramer, type FrameOutcome } from "../../../src/logs/framing/framer.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

// Lines of container runtimes, supervisors, syslog templates and journalctl output modes
// around one Postfix line, each framed by a framer of its own.

const UTC = resolveTimeZone("UTC");
const MARCH_2024 = Date.UTC(2024, 2, 10);

const SYSLOG_LINE = "Mar  4 09:04:08 mx1 postfix/smtp[2007]: 3F1A2B0103: to=<a@example.com>";
const MESSAGE = "3F1A2B0103: to=<a@example.com>";
const LINE_TIME = Date.UTC(2024, 2, 4, 9, 4, 8);

interface Framed {
  outcome: FrameOutcome;
  records: LogRecord[];
}

function frameText(text: string, year?: number): Framed {
  const framer = new LineFramer({ timeZone: UTC, year });
  framer.startFile("mail.log", MARCH_2024, false);
  const records: LogRecord[] = [];
  const outcome = framer.frame(text, 1, (record) => records.push(record));
  return { outcome, records };
}

function frameBytes(text: string): Framed {
  const framer = new LineFramer({ timeZone: UTC, year: 2024 });
  framer.startFile("mail.log", MARCH_2024, false);
  const buffer = Buffer.from(`junk\n${text}\n`, "latin1");
  const records: LogRecord[] = [];
  const end = 5 + Buffer.byteLength(text, "latin1");
  const outcome = framer.frameBytes(buffer, 5, end, 1, (record) => records.push(record));
  return { outcome, records };
}

function onlyRecord(framed: Framed): LogRecord {
  expect(framed.outcome).toBe("record");
  expect(framed.records).toHaveLength(1);
  const [record] = framed.records;
  if (record === undefined) throw new Error("no record");
  return record;
}

function expectSmtpLine(record: LogRecord, time = LINE_TIME, host = "mx1"): void {
  expect(record.program).toBe("postfix/smtp");
  expect(record.pid).toBe(2007);
  expect(record.host).toBe(host);
  expect(record.message).toBe(MESSAGE);
  expect(record.time).toBe(time);
}

describe("container prefixes", () => {
  // The classic line has no year, so these framers get none: the prefix must give it.
  it("reads docker logs -t", () => {
    const record = onlyRecord(frameText(`2023-03-04T09:04:08.596853123Z ${SYSLOG_LINE}`));
    expectSmtpLine(record, Date.UTC(2023, 2, 4, 9, 4, 8));
  });

  it("keeps the inner stamp as the time", () => {
    const record = onlyRecord(frameText(`2024-03-04T09:04:09.9Z ${SYSLOG_LINE}`));
    expectSmtpLine(record);
  });

  it("reads a classic line in another zone", () => {
    // The container's zone is +01:00, and the runtime read the line 0.5 s after its stamp.
    const inner = "Mar  4 10:04:08 mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:08.5Z ${inner}`));
    expectSmtpLine(record);
  });

  it("reads a CRI classic line in another zone", () => {
    const inner = "Mar  4 04:04:08 mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:09.2Z stdout F ${inner}`));
    expectSmtpLine(record);
  });

  it("dates a classic line across new year", () => {
    const inner = "Dec 31 23:30:05 mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-01-01T00:00:05.1Z ${inner}`));
    expectSmtpLine(record, Date.UTC(2024, 0, 1, 0, 0, 5));
  });

  it("dates a replayed classic line by its stamp", () => {
    const inner = "Mar  2 09:04:08 mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:08.5Z ${inner}`));
    expectSmtpLine(record, LINE_TIME - 2 * 86_400_000);
  });

  it("needs no year for a classic line", () => {
    const framer = new LineFramer({ timeZone: UTC, year: 2020 });
    framer.startFile("docker-logs.txt", MARCH_2024, false);
    const records: LogRecord[] = [];

    framer.frame(`2024-03-04T09:04:08.5Z ${SYSLOG_LINE}`, 1, (record) => records.push(record));

    expect(records).toHaveLength(1);
    expect(records[0]?.time).toBe(LINE_TIME);
    expect(framer.hasReadClassicStamp).toBe(false);
  });

  it("reads an inner RFC 3339 stamp", () => {
    const inner = "2024-03-04T10:04:08.250+01:00 mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:09Z ${inner}`));
    expectSmtpLine(record, LINE_TIME + 250);
  });

  it("reads a CRI line", () => {
    const record = onlyRecord(frameText(`2024-03-04T09:04:08.596853123Z stdout F ${SYSLOG_LINE}`));
    expectSmtpLine(record);
  });

  it("keeps a partial CRI line open", () => {
    const framed = frameText(`2024-03-04T09:04:08.5Z stderr P ${SYSLOG_LINE}`);
    expect(framed.outcome).toBe("partial");
    expect(framed.records).toHaveLength(0);
  });

  it("dates a CRI line without stamp by the runtime", () => {
    const inner = "mx1 postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:08.596Z stdout F ${inner}`));
    expectSmtpLine(record, LINE_TIME + 596);
  });

  it("dates a CRI tag without host by the runtime", () => {
    const inner = "postfix/smtp[2007]: " + MESSAGE;
    const record = onlyRecord(frameText(`2024-03-04T09:04:08Z stdout F ${inner}`));
    expectSmtpLine(record, LINE_TIME, "");
  });

  it("leaves other CRI lines unrecognised", () => {
    const framed = frameText("2024-03-04T09:04:08Z stdout F starting the web server");
    expect(framed.outcome).toBe("unrecognised");
    expect(framed.records).toHaveLength(0);
  });

  it("reads docker compose logs", () => {
    const record = onlyRecord(frameText(`postfix-mailcow-1  | ${SYSLOG_LINE}`, 2024));
    expectSmtpLine(record);
  });

  it("reads compose logs with -t", () => {
    const stamped = `2024-03-04T09:04:08.1Z ${SYSLOG_LINE}`;
    const record = onlyRecord(frameText(`mail_1  | ${stamped}`, 2024));
    expectSmtpLine(record);
  });

  it("reads a supervisor stream prefix", () => {
    const record = onlyRecord(frameText(`postfix stdout | ${SYSLOG_LINE}`, 2024));
    expectSmtpLine(record);
  });

  it("rejects a bar without padding", () => {
    expect(frameText(`postfix | ${SYSLOG_LINE}`, 2024).outcome).toBe("unrecognised");
    expect(frameText(`postfix stdin | ${SYSLOG_LINE}`, 2024).outcome).toBe("unrecognised");
  });

  it("reads the Docker json-file driver", () => {
    const log = JSON.stringify({
      log: `${SYSLOG_LINE}\n`,
      stream: "stdout",
      time: "2023-03-04T09:04:08.596853123Z",
    });
    const record = onlyRecord(frameText(log));
    expectSmtpLine(record, Date.UTC(2023, 2, 4, 9, 4, 8));
  });

  it("reads a json-file classic line in another zone", () => {
    const log = JSON.stringify({
      log: `Mar  4 14:34:08 mx1 postfix/smtp[2007]: ${MESSAGE}\n`,
      stream: "stdout",
      time: "2024-03-04T09:04:08.7Z",
    });
    expectSmtpLine(onlyRecord(frameText(log)));
  });

  it("dates a json-file header without stamp", () => {
    const log = JSON.stringify({
      log: `mx1 postfix/smtp[2007]: ${MESSAGE}\r\n`,
      stream: "stdout",
      time: "2024-03-04T10:04:08.5+01:00",
    });
    expectSmtpLine(onlyRecord(frameText(log)), LINE_TIME + 500);
  });

  it("leaves json-file lines of other programs", () => {
    const log = JSON.stringify({ log: "GET / 200\n", stream: "stdout", time: "2024-03-04T09Z" });
    expect(frameText(log).outcome).toBe("unrecognised");
  });
});

// Exim's own stamp and line, as `docker logs -t` of an Exim container shows them.
const EXIM_LINE = "1rhQAk-000Aba-1x => user0@example.com R=dnslookup T=remote_smtp";
const EXIM_TIME = Date.UTC(2024, 2, 4, 9, 4, 8);

// A framer that reads one input, whose lines give it no year.
function containerFramer(zone = "UTC"): LineFramer {
  const framer = new LineFramer({ timeZone: resolveTimeZone(zone) });
  framer.startFile("docker-logs.txt", MARCH_2024, false);
  return framer;
}

function frameWith(framer: LineFramer, text: string): LogRecord {
  const records: LogRecord[] = [];
  const outcome = framer.frame(text, 1, (record) => records.push(record));
  return onlyRecord({ outcome, records });
}

// `EXIM_TIME` as Exim writes it in a zone `offsetMinutes` east of UTC.
function eximStampIn(offsetMinutes: number): string {
  const wall = new Date(EXIM_TIME + offsetMinutes * 60_000).toISOString();
  return wall.slice(0, 19).replace("T", " ");
}

describe("inner stamps without a zone", () => {
  it.each([
    ["UTC+02:00", 120],
    ["UTC+05:30", 330],
    ["UTC+05:45", 345],
    ["UTC-03:30", -210],
  ])("dates docker logs -t of Exim in %s", (_zone, offsetMinutes) => {
    const framer = containerFramer();
    const line = `2024-03-04T09:04:08.412Z ${eximStampIn(offsetMinutes)} ${EXIM_LINE}`;

    const record = frameWith(framer, line);

    expect(record.program).toBe("exim");
    expect(record.message).toBe(EXIM_LINE);
    expect(record.time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([offsetMinutes]);
  });

  it("ignores --timezone for them", () => {
    const framer = containerFramer("America/New_York");
    const record = frameWith(framer, `2024-03-04T09:04:08.4Z ${eximStampIn(60)} ${EXIM_LINE}`);
    expect(record.time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([60]);
  });

  it("finds no zone for UTC", () => {
    const framer = containerFramer("Europe/Berlin");
    const record = frameWith(framer, `2024-03-04T09:04:08.9Z ${eximStampIn(0)} ${EXIM_LINE}`);
    expect(record.time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([]);
  });

  it("keeps a zone once per input", () => {
    const framer = containerFramer();
    for (let index = 0; index < 3; index++) {
      frameWith(framer, `2024-03-04T09:04:08.4Z ${eximStampIn(120)} ${EXIM_LINE}`);
    }
    frameWith(framer, `2024-03-04T09:04:08.4Z ${eximStampIn(60)} ${EXIM_LINE}`);
    expect(framer.containerZoneOffsets).toEqual([120, 60]);

    framer.startFile("next.txt", MARCH_2024, true);
    expect(framer.containerZoneOffsets).toEqual([]);
  });

  it("dates a late read by its stamp", () => {
    // The runtime stamp is 5 minutes after the stamp in +02:00, so it gives no zone, and the
    // stamp is read in the framer's zone.
    const framer = containerFramer();
    const record = frameWith(framer, `2024-03-04T09:09:08Z ${eximStampIn(120)} ${EXIM_LINE}`);
    expect(record.time).toBe(EXIM_TIME + 120 * 60_000);
    expect(framer.containerZoneOffsets).toEqual([]);
    expect(framer.containerStampZones.earlyLineCount).toBe(1);
  });

  it("dates a late read in the zone learnt", () => {
    const framer = containerFramer();
    frameWith(framer, `2024-03-04T09:04:08.2Z ${eximStampIn(120)} ${EXIM_LINE}`);
    const record = frameWith(framer, `2024-03-04T09:09:08Z ${eximStampIn(120)} ${EXIM_LINE}`);
    expect(record.time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([120]);
    expect(framer.containerStampZones.lateLineCount).toBe(1);
  });

  it("reads a CRI line", () => {
    const framer = containerFramer();
    const line = `2024-03-04T09:04:08.2Z stdout F ${eximStampIn(330)} ${EXIM_LINE}`;
    expect(frameWith(framer, line).time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([330]);
  });

  it("reads a json-file line", () => {
    const framer = containerFramer();
    const log = JSON.stringify({
      log: `${eximStampIn(-300)} ${EXIM_LINE}\n`,
      stream: "stdout",
      time: "2024-03-04T09:04:08.7Z",
    });
    expect(frameWith(framer, log).time).toBe(EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([-300]);
  });

  it("reads a syslog-ng stamp", () => {
    const framer = containerFramer();
    const inner = `${eximStampIn(120)} mx1 postfix/smtp[2007]: ${MESSAGE}`;
    const record = frameWith(framer, `2024-03-04T09:04:08.1Z ${inner}`);
    expectSmtpLine(record, EXIM_TIME);
    expect(framer.containerZoneOffsets).toEqual([120]);
  });

  it("keeps an inner zone", () => {
    const framer = containerFramer();
    const inner = `${eximStampIn(120)} +0100 ${EXIM_LINE}`;
    const record = frameWith(framer, `2024-03-04T09:04:08.1Z ${inner}`);
    expect(record.time).toBe(EXIM_TIME + 3_600_000);
    expect(framer.containerZoneOffsets).toEqual([]);
  });
});

describe("journalctl modes", () => {
  it("reads short-precise", () => {
    const text = "Mar 04 09:04:08.596853 mx1 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)), LINE_TIME + 596);
  });

  it("reads short-precise from bytes", () => {
    const text = "Mar 04 09:04:08.596853 mx1 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameBytes(text)), LINE_TIME + 596);
  });

  it("rejects a fraction without a space", () => {
    const text = "Mar 04 09:04:08.59x mx1 postfix/smtp[2007]: " + MESSAGE;
    expect(frameText(text, 2024).outcome).toBe("unrecognised");
  });

  it("reads short-full in UTC", () => {
    const text = "Mon 2024-03-04 09:04:08 UTC mx1 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text)));
    expectSmtpLine(onlyRecord(frameBytes(text)));
  });

  it("folds with-unit MTA units", () => {
    const units = [
      ["postfix@-.service", "postfix"],
      ["postfix@postfix-out.service", "postfix-out/postfix"],
      ["postfix@out.service", "postfix-out/postfix"],
      ["postfix.service", "postfix"],
      ["exim4.service", "exim"],
      ["exim.service", "exim"],
      ["sendmail.service", "sendmail"],
      ["dovecot.service", "dovecot.service"],
    ];
    for (const [unit, program] of units) {
      const text = `Mon 2024-03-04 09:04:08 UTC mx1 ${unit}[2007]: ${MESSAGE}`;
      expect(onlyRecord(frameText(text)).program).toBe(program);
      expect(onlyRecord(frameBytes(text)).program).toBe(program);
    }
  });

  it("reads short-full with an offset", () => {
    const text = "Mon 2024-03-04 10:04:08 +0100 mx1 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text)));
  });

  it("reads short-full abbreviations in the zone", () => {
    const framer = new LineFramer({ timeZone: resolveTimeZone("Europe/Berlin") });
    framer.startFile("mail.log", MARCH_2024, false);
    const records: LogRecord[] = [];
    const text = "Mon 2024-03-04 10:04:08 CET mx1 postfix/smtp[2007]: " + MESSAGE;
    framer.frame(text, 1, (record) => records.push(record));
    expect(records[0]?.time).toBe(LINE_TIME);
  });

  it("reads short-unix", () => {
    const seconds = LINE_TIME / 1000;
    const text = `${seconds}.596853 mx1 postfix/smtp[2007]: ${MESSAGE}`;
    expectSmtpLine(onlyRecord(frameText(text)), LINE_TIME + 596);
  });

  it("reads --no-hostname", () => {
    const text = "Mar 04 09:04:08 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)), LINE_TIME, "");
    expectSmtpLine(onlyRecord(frameBytes(text)), LINE_TIME, "");
  });

  it("reads --no-hostname with short-iso", () => {
    const text = "2024-03-04T09:04:08+0000 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text)), LINE_TIME, "");
  });

  it("keeps an IPv6 host that ends in a colon", () => {
    const text = "Mar 04 09:04:08 2001:db8:: postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)), LINE_TIME, "2001:db8::");
  });

  it("reads json-seq records", () => {
    const entry = {
      __REALTIME_TIMESTAMP: String(LINE_TIME * 1000),
      _HOSTNAME: "mx1",
      SYSLOG_IDENTIFIER: "postfix/smtp",
      SYSLOG_PID: "2007",
      MESSAGE,
    };
    expectSmtpLine(onlyRecord(frameText(`\u001e${JSON.stringify(entry)}`)));
  });

  it("puts a unit's instance before the tag", () => {
    const cases = [
      ["postfix/smtp", "postfix@postfix-out.service", "postfix-out/smtp"],
      ["postfix/submission/smtpd", "postfix@postfix-out.service", "postfix-out/submission/smtpd"],
      ["postfix", "postfix@postfix-out.service", "postfix-out/postfix"],
      ["postfix/smtp", "postfix@out.service", "postfix-out/smtp"],
      ["postfix-out/smtp", "postfix@postfix-out.service", "postfix-out/smtp"],
      ["postfix-mta2/smtp", "postfix@postfix-out.service", "postfix-mta2/smtp"],
      ["postfix/smtp", "postfix@-.service", "postfix/smtp"],
      ["postfix/smtp", "postfix.service", "postfix/smtp"],
      ["postfix/smtp", "", "postfix/smtp"],
      ["postfixadmin", "postfix@postfix-out.service", "postfixadmin"],
    ];
    for (const [identifier, unit, program] of cases) {
      const entry = {
        __REALTIME_TIMESTAMP: String(LINE_TIME * 1000),
        _HOSTNAME: "mx1",
        SYSLOG_IDENTIFIER: identifier,
        SYSLOG_PID: "2007",
        _SYSTEMD_UNIT: unit,
        MESSAGE,
      };
      const record = onlyRecord(frameText(JSON.stringify(entry)));

      expect(record.program, `${identifier} of ${unit}`).toBe(program);
      expect(record.message).toBe(MESSAGE);
    }
  });
});

describe("other words before the line", () => {
  it("reads supervisord lines as its program", () => {
    const record = onlyRecord(
      frameText("2024-03-04 08:59:58,123 INFO spawned: 'postfix' with pid 200"),
    );
    expect(record.program).toBe("supervisord");
    expect(record.message).toBe("INFO spawned: 'postfix' with pid 200");
    expect(record.time).toBe(Date.UTC(2024, 2, 4, 8, 59, 58, 123));
  });

  it("keeps Exim lines with a dot fraction", () => {
    const record = onlyRecord(frameText("2024-03-04 08:59:58.123 INFO something"));
    expect(record.program).toBe("exim");
  });

  it("skips a facility before the stamp", () => {
    expectSmtpLine(onlyRecord(frameText(`mail.info ${SYSLOG_LINE}`, 2024)));
  });

  it("skips a facility before the host", () => {
    const text = "2024-03-04T09:04:08+00:00 mail.info mx1 postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text)));
  });

  it("skips a facility before the tag", () => {
    const text = "Mar  4 09:04:08 mx1 mail.info postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)));
    expectSmtpLine(onlyRecord(frameBytes(text)));
  });

  it("skips a bracketed facility before the tag", () => {
    const text = "Mar  4 09:04:08 mx1 <mail.info> postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)));
  });

  it("keeps a host named like a facility", () => {
    const text = "Mar  4 09:04:08 mail.info postfix/smtp[2007]: " + MESSAGE;
    expectSmtpLine(onlyRecord(frameText(text, 2024)), LINE_TIME, "mail.info");
  });
});
