import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../src/logs/record.js";
import { LineFramer, type FrameOutcome } from "../../../src/logs/framing/framer.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

const UTC = resolveTimeZone("UTC");
const MARCH_2024 = Date.UTC(2024, 2, 10);

interface Framed {
  outcome: FrameOutcome;
  records: LogRecord[];
}

function framer(year?: number, zone = UTC): LineFramer {
  const result = new LineFramer({ timeZone: zone, year });
  result.startFile("mail.log", MARCH_2024, false);
  return result;
}

function frameWith(target: LineFramer, text: string, line = 1): Framed {
  const records: LogRecord[] = [];
  const outcome = target.frame(text, line, (record) => records.push(record));
  return { outcome, records };
}

function frameOne(text: string, year?: number): LogRecord {
  const { outcome, records } = frameWith(framer(year), text);
  expect(outcome).toBe("record");
  expect(records).toHaveLength(1);
  const [record] = records;
  if (record === undefined) throw new Error("no record");
  return record;
}

const at = (...fields: [number, number, number, number, number, number, number?]): number =>
  Date.UTC(...fields);

describe("classic syslog", () => {
  it("frames host, tag, pid and message", () => {
    const record = frameOne(
      "Mar  4 09:15:02 mx1 postfix/smtpd[2211]: connect from unknown[198.51.100.7]",
    );
    expect(record).toEqual({
      time: at(2024, 2, 4, 9, 15, 2),
      host: "mx1",
      program: "postfix/smtpd",
      pid: 2211,
      message: "connect from unknown[198.51.100.7]",
      file: "mail.log",
      line: 1,
      syslogHeader: true,
    });
  });

  it("reads two-digit and unpadded days", () => {
    // The year is given: a first line after the file's mtime would be put in the year before.
    expect(frameOne("Mar 14 09:15:02 mx1 postfix/qmgr[1]: x", 2024).time).toBe(
      at(2024, 2, 14, 9, 15, 2),
    );
    expect(frameOne("Mar 4 09:15:02 mx1 postfix/qmgr[1]: x").time).toBe(at(2024, 2, 4, 9, 15, 2));
  });

  it("reads tags without a pid", () => {
    const record = frameOne(
      "Mar  4 09:15:02 mail dovecot: imap-login: Login: user=<a@example.com>",
    );
    expect(record.program).toBe("dovecot");
    expect(record.pid).toBeNull();
    expect(record.message).toBe("imap-login: Login: user=<a@example.com>");
  });

  it("folds Exim's syslog tag and strips its own stamp", () => {
    const record = frameOne(
      "Mar  4 09:15:02 mx1 exim4[77]: 2024-03-04 09:15:02 1rhA2b-000Abc-1x <= a@example.com",
    );
    expect(record.program).toBe("exim");
    expect(record.message).toBe("1rhA2b-000Abc-1x <= a@example.com");
  });

  it("skips FreeBSD facility prefixes", () => {
    const named = frameOne(
      "Mar 19 23:48:18 <mail.info> mx1 sm-mta[55517]: a: from=<b@example.com>",
    );
    expect(named.host).toBe("mx1");
    expect(named.program).toBe("sm-mta");
    const numeric = frameOne("Apr  2 17:51:27 <4.3> mx1 sshd[55624]: error: x");
    expect(numeric.program).toBe("sshd");
  });

  it("rejects malformed stamps", () => {
    const lines = [
      "Mar  4 9:15:02 mx1 postfix/smtpd[1]: x",
      "Mar 32 09:15:02 mx1 postfix/smtpd[1]: x",
      "Mar  4 25:15:02 mx1 postfix/smtpd[1]: x",
      "Mär  4 09:15:02 mx1 postfix/smtpd[1]: x",
      "Mar  4 09:15:02",
      "Suggested action: either install a certificate",
    ];
    for (const line of lines) expect(frameWith(framer(), line).outcome, line).toBe("unrecognised");
  });
});

describe("year inference", () => {
  it("anchors the first line on the file's mtime", () => {
    expect(frameOne("Mar  4 09:15:02 mx1 postfix/smtpd[1]: x").time).toBe(at(2024, 2, 4, 9, 15, 2));
    expect(frameOne("Nov  4 09:15:02 mx1 postfix/smtpd[1]: x").time).toBe(
      at(2023, 10, 4, 9, 15, 2),
    );
  });

  it("rolls over from December to January", () => {
    const target = framer();
    const times = [
      "Dec 31 23:59:58 mx1 postfix/smtpd[1]: a",
      "Jan  1 00:00:01 mx1 postfix/smtpd[1]: b",
      "Dec 31 23:59:59 mx1 postfix/smtpd[1]: late line",
      "Jan  1 00:00:02 mx1 postfix/smtpd[1]: c",
    ].map((line) => frameWith(target, line).records[0]?.time);
    expect(times).toEqual([
      at(2023, 11, 31, 23, 59, 58),
      at(2024, 0, 1, 0, 0, 1),
      at(2023, 11, 31, 23, 59, 59),
      at(2024, 0, 1, 0, 0, 2),
    ]);
  });

  it("moves on a year when the month goes back by months", () => {
    const target = framer(2020);
    const times = [
      "Aug 31 12:37:51 mx1 postfix/qmgr[1]: a",
      "Feb 25 13:57:44 mx1 postfix/pickup[2]: b",
      "Feb 25 13:57:43 mx1 postfix/pickup[2]: seconds out of order",
    ].map((line) => frameWith(target, line).records[0]?.time);
    expect(times).toEqual([
      at(2020, 7, 31, 12, 37, 51),
      at(2021, 1, 25, 13, 57, 44),
      at(2021, 1, 25, 13, 57, 43),
    ]);
  });

  it("keeps a clock step back across a month end", () => {
    const target = framer(2024);
    const times = [
      "Apr  1 00:30:00 mx1 postfix/smtpd[1]: a",
      "Mar 31 23:45:00 mx1 postfix/smtpd[1]: clock set back",
    ].map((line) => frameWith(target, line).records[0]?.time);
    expect(times).toEqual([at(2024, 3, 1, 0, 30, 0), at(2024, 2, 31, 23, 45, 0)]);
  });

  it("uses --year for the first line", () => {
    const target = framer(2019);
    expect(frameWith(target, "Nov  4 09:15:02 mx1 postfix/smtpd[1]: x").records[0]?.time).toBe(
      at(2019, 10, 4, 9, 15, 2),
    );
    expect(frameWith(target, "Jan  2 09:15:02 mx1 postfix/smtpd[1]: x").records[0]?.time).toBe(
      at(2020, 0, 2, 9, 15, 2),
    );
  });

  it("carries the year into a continuing file", () => {
    const target = framer();
    target.startFile("mail.log.1", Date.UTC(2023, 11, 31, 23, 59), false);
    frameWith(target, "Dec 30 10:00:00 mx1 postfix/smtpd[1]: x");
    target.startFile("mail.log", Date.UTC(2031, 0, 5), true);
    expect(frameWith(target, "Jan  2 10:00:00 mx1 postfix/smtpd[1]: x").records[0]?.time).toBe(
      at(2024, 0, 2, 10, 0, 0),
    );
  });

  it("reuses a repeated stamp within a file", () => {
    const target = framer(2024);
    const first = frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: connect from x");
    const second = frameWith(target, "Mar  4 09:15:02 mx2 postfix/qmgr[2]: 4B7E21C0A3: removed");
    const next = frameWith(target, "Mar  4 09:15:03 mx1 postfix/smtpd[1]: disconnect from x");
    expect(first.records[0]?.time).toBe(at(2024, 2, 4, 9, 15, 2));
    expect(second.records[0]?.time).toBe(at(2024, 2, 4, 9, 15, 2));
    expect(second.records[0]?.host).toBe("mx2");
    expect(second.records[0]?.message).toBe("4B7E21C0A3: removed");
    expect(next.records[0]?.time).toBe(at(2024, 2, 4, 9, 15, 3));
  });

  it("infers the year of a repeated stamp anew in a new file set", () => {
    const target = framer();
    const line = "Dec 30 10:00:00 mx1 postfix/smtpd[1]: x";
    target.startFile("old.log", Date.UTC(2023, 11, 31, 23, 59), false);
    expect(frameWith(target, line).records[0]?.time).toBe(at(2023, 11, 30, 10, 0, 0));
    target.startFile("new.log", Date.UTC(2030, 11, 31, 23, 59), false);
    expect(frameWith(target, line).records[0]?.time).toBe(at(2030, 11, 30, 10, 0, 0));
  });

  it("starts over in a file that does not continue", () => {
    const target = framer();
    frameWith(target, "Dec 30 10:00:00 mx1 postfix/smtpd[1]: x");
    target.startFile("other.log", Date.UTC(2031, 0, 5), false);
    expect(frameWith(target, "Jan  2 10:00:00 mx1 postfix/smtpd[1]: x").records[0]?.time).toBe(
      at(2031, 0, 2, 10, 0, 0),
    );
  });

  it("takes the year of dated lines in a mixed file", () => {
    const target = framer();
    frameWith(target, "2021-05-01T10:00:00+00:00 mx1 postfix/smtpd[1]: x");
    expect(frameWith(target, "May  1 10:00:05 mx1 postfix/smtpd[1]: y").records[0]?.time).toBe(
      at(2021, 4, 1, 10, 0, 5),
    );
  });

  it("reads the mtime anchor as local time", () => {
    // 2024-01-01 00:30 in Berlin is still 2023 in UTC.
    const berlin = new LineFramer({ timeZone: resolveTimeZone("Europe/Berlin") });
    berlin.startFile("mail.log", Date.UTC(2023, 11, 31, 23, 30), false);
    const { records } = frameWith(berlin, "Jan  1 00:29:00 mx1 postfix/smtpd[1]: x");
    expect(records[0]?.time).toBe(at(2023, 11, 31, 23, 29, 0));
  });
});

describe("time zones", () => {
  it("reads naive stamps in the configured zone across a DST change", () => {
    const target = framer(2024, resolveTimeZone("Europe/Berlin"));
    const before = frameWith(target, "Mar 31 01:30:00 mx1 postfix/smtpd[1]: x").records[0];
    const after = frameWith(target, "Mar 31 03:30:00 mx1 postfix/smtpd[1]: y").records[0];
    expect(before?.time).toBe(at(2024, 2, 31, 0, 30, 0));
    expect(after?.time).toBe(at(2024, 2, 31, 1, 30, 0));
  });

  it("reads naive stamps with a fixed offset", () => {
    const target = framer(2024, resolveTimeZone("+07:00"));
    const record = frameWith(target, "2024-03-04 09:15:02 1rhA2b-000Abc-1x Completed").records[0];
    expect(record?.time).toBe(at(2024, 2, 4, 2, 15, 2));
  });

  it("ignores the zone for stamps with an offset", () => {
    const target = framer(2024, resolveTimeZone("+07:00"));
    const { records } = frameWith(
      target,
      "2024-03-04T09:15:02.481230+01:00 mx1 postfix/smtpd[1]: x",
    );
    expect(records[0]?.time).toBe(at(2024, 2, 4, 8, 15, 2, 481));
  });
});

describe("RFC 3339 and syslog-ng stamps", () => {
  it("reads fractions, Z and offsets without a colon", () => {
    expect(frameOne("2024-03-04T09:15:02Z mx1 postfix/smtp[9]: x").time).toBe(
      at(2024, 2, 4, 9, 15, 2),
    );
    expect(frameOne("2024-03-04T09:15:02+0100 mx1 postfix/smtp[9]: x").time).toBe(
      at(2024, 2, 4, 8, 15, 2),
    );
  });

  it("reads syslog-ng lines with a pid or a mail program", () => {
    const record = frameOne("2024-03-04 09:15:02 mx1 postfix/smtpd[2211]: connect from x");
    expect(record).toMatchObject({ host: "mx1", program: "postfix/smtpd", pid: 2211 });
    expect(frameOne("2024-03-04 09:15:02 mx1 dovecot: imap-login: x").program).toBe("dovecot");
  });
});

describe("Exim main log", () => {
  it("frames plain lines with an empty host", () => {
    const record = frameOne(
      "2024-03-04 09:15:02 1rhA2b-000Abc-1x <= a@example.com H=(x) [192.0.2.1]",
    );
    expect(record).toMatchObject({ host: "", program: "exim", pid: null });
    expect(record.message).toBe("1rhA2b-000Abc-1x <= a@example.com H=(x) [192.0.2.1]");
    expect(record.syslogHeader).toBe(false);
  });

  it("marks Exim lines through syslog", () => {
    const record = frameOne(
      "Mar  4 09:15:02 mx1 exim[4242]: 2024-03-04 09:15:02 1rhA2b-000Abc-1x Completed",
    );
    expect(record).toMatchObject({ host: "mx1", program: "exim", syslogHeader: true });
  });

  it("reads the pid, milliseconds and a spaced offset", () => {
    const record = frameOne(
      "2024-03-04 09:15:02.250 +0100 [4321] 1rhA2b-0000000000A-0000 Completed",
    );
    expect(record.time).toBe(at(2024, 2, 4, 8, 15, 2, 250));
    expect(record.pid).toBe(4321);
    expect(record.message).toBe("1rhA2b-0000000000A-0000 Completed");
  });

  it("keeps colon-ending words as Exim text", () => {
    const record = frameOne("2024-03-04 09:15:02 1rhA2b-000Abc-1x DKIM: d=example.com s=mail");
    expect(record.program).toBe("exim");
    expect(frameOne("2024-03-04 09:15:02 pid 27421: SIGHUP received").program).toBe("exim");
  });
});

describe("Exim's own stamp inside syslog messages", () => {
  // Exim puts its own date and time before each message it sends to syslog unless
  // `syslog_timestamp = false`. Classic syslog, RFC 5424 and journald all keep that stamp.
  const eximLine = "2024-03-04 09:15:02 1rhA2b-000Abc-1x <= a@example.com S=900";
  const journalLine = (identifier: string): string =>
    JSON.stringify({
      __REALTIME_TIMESTAMP: "1709543702000000",
      _HOSTNAME: "mx1",
      SYSLOG_IDENTIFIER: identifier,
      SYSLOG_PID: "77",
      MESSAGE: eximLine,
    });
  const shapes: [string, string][] = [
    ["classic syslog", `Mar  4 09:15:02 mx1 exim[77]: ${eximLine}`],
    ["a priority before classic syslog", `<22>Mar  4 09:15:02 mx1 exim[77]: ${eximLine}`],
    ["RFC 3339 syslog", `2024-03-04T09:15:02.000000+00:00 mx1 exim[77]: ${eximLine}`],
    ["journalctl -o short", `Mar 04 09:15:02 mx1 exim[77]: ${eximLine}`],
    ["journalctl -o short-iso", `2024-03-04T09:15:02+0000 mx1 exim4[77]: ${eximLine}`],
    ["RFC 5424", `<22>1 2024-03-04T09:15:02.000000+00:00 mx1 exim 77 - - ${eximLine}`],
    ["RFC 5424 with exim4", `<22>1 2024-03-04T09:15:02Z mx1 exim4 77 - - ${eximLine}`],
    ["journald JSON", journalLine("exim")],
    ["journald JSON with exim4", journalLine("exim4")],
  ];

  it.each(shapes)("strips it in %s", (_shape, text) => {
    const record = frameOne(text, 2024);
    expect(record.program).toBe("exim");
    expect(record.pid).toBe(77);
    expect(record.time).toBe(at(2024, 2, 4, 9, 15, 2));
    expect(record.message).toBe("1rhA2b-000Abc-1x <= a@example.com S=900");
  });

  it("strips pid and offset after it", () => {
    const inner = "2024-03-04 10:15:02.250 +0100 [4321] 1rhA2b-000Abc-1x Completed";
    const rfc5424 = frameOne(`<22>1 2024-03-04T09:15:02Z mx1 exim 4321 - - ${inner}`);
    expect(rfc5424.message).toBe("1rhA2b-000Abc-1x Completed");
    const journal = frameOne(
      JSON.stringify({ __REALTIME_TIMESTAMP: "1709543702000000", _COMM: "exim4", MESSAGE: inner }),
    );
    expect(journal.message).toBe("1rhA2b-000Abc-1x Completed");
  });

  it("keeps it in other programs", () => {
    const rfc5424 = frameOne(`<22>1 2024-03-04T09:15:02Z mx1 app 1 - - ${eximLine}`);
    expect(rfc5424.message).toBe(eximLine);
    expect(frameOne(journalLine("app")).message).toBe(eximLine);
  });
});

describe("poste.io and supervisor logs", () => {
  it("reads s6-log lines with a Haraka level", () => {
    const record = frameOne(
      "2024-03-04 09:15:02.481230500  [NOTICE] [F3A1] [core] disconnect ip=198.51.100.7",
    );
    expect(record).toMatchObject({ program: "haraka", host: "" });
    expect(record.time).toBe(at(2024, 2, 4, 9, 15, 2, 481));
    expect(record.message).toBe("[NOTICE] [F3A1] [core] disconnect ip=198.51.100.7");
  });

  it("names other s6-log payloads s6-log", () => {
    expect(frameOne("2024-03-04 09:15:02.481230500  starting up").program).toBe("s6-log");
  });

  it("reads poste.io delivery summaries", () => {
    const record = frameOne(
      "2024-03-04T09:15:03.123Z [UUID.1] 198.51.100.7:25%mx.example.com () x",
    );
    expect(record).toMatchObject({
      program: "haraka",
      message: "[UUID.1] 198.51.100.7:25%mx.example.com () x",
    });
  });

  it("reads TAI64N labels", () => {
    const seconds = (Date.UTC(2024, 2, 4, 9, 15, 2) / 1000 + 10).toString(16);
    const record = frameOne(`@40000000${seconds}00000000 imap-login: Info: Login: user=<a>`);
    expect(record).toMatchObject({
      program: "s6-log",
      message: "imap-login: Info: Login: user=<a>",
    });
    expect(record.time).toBe(at(2024, 2, 4, 9, 15, 2));
  });
});

describe("Roundcube", () => {
  it("reads the bracketed stamp", () => {
    const record = frameOne("[20-Oct-2020 14:56:10 +0100]: <ab12> User a@example.com [192.0.2.9]");
    expect(record).toMatchObject({ program: "roundcube", host: "", pid: null });
    expect(record.time).toBe(at(2020, 9, 20, 13, 56, 10));
    expect(record.message).toBe("<ab12> User a@example.com [192.0.2.9]");
  });
});

describe("priority prefixes and RFC 5424", () => {
  it("reads RFC 5424 with the nil structured data", () => {
    const record = frameOne(
      "<22>1 2024-03-04T09:15:02.481Z mx1 postfix/smtpd 2211 - - connect from x",
    );
    expect(record).toMatchObject({ host: "mx1", program: "postfix/smtpd", pid: 2211 });
    expect(record.message).toBe("connect from x");
    expect(record.time).toBe(at(2024, 2, 4, 9, 15, 2, 481));
  });

  it("skips structured data and a BOM", () => {
    const record = frameOne(
      '<22>1 2024-03-04T09:15:02Z mx1 app - ID7 [meta a="x]y"] \u00ef\u00bb\u00bfhello',
    );
    expect(record).toMatchObject({ program: "app", pid: null, message: "hello" });
  });

  it("uses empty names for nil host and app", () => {
    const record = frameOne("<22>1 2024-03-04T09:15:02Z - - - - - x");
    expect(record).toMatchObject({ host: "", program: "unknown" });
  });

  it("reads a priority before a classic stamp", () => {
    expect(frameOne("<22>Mar  4 09:15:02 mx1 postfix/smtpd[1]: x").program).toBe("postfix/smtpd");
  });

  it("rejects a priority without a stamp", () => {
    expect(frameWith(framer(), "<22>hello").outcome).toBe("unrecognised");
    expect(frameWith(framer(), "<> x").outcome).toBe("unrecognised");
  });
});

describe("journald JSON", () => {
  it("reads the fields", () => {
    const line = JSON.stringify({
      __REALTIME_TIMESTAMP: String(Date.UTC(2024, 2, 4, 9, 15, 2) * 1000 + 481_230),
      _HOSTNAME: "mx1",
      SYSLOG_IDENTIFIER: "postfix/smtpd",
      SYSLOG_PID: "2211",
      MESSAGE: "connect from x",
    });
    expect(frameOne(line)).toMatchObject({
      time: at(2024, 2, 4, 9, 15, 2, 481),
      host: "mx1",
      program: "postfix/smtpd",
      pid: 2211,
      message: "connect from x",
    });
  });

  it("decodes a byte-array message as latin1", () => {
    const line = JSON.stringify({
      __REALTIME_TIMESTAMP: "1709543702000000",
      _COMM: "exim4",
      MESSAGE: [0x61, 0xe9, 0xff],
    });
    expect(frameOne(line)).toMatchObject({ program: "exim", message: "a\u00e9\u00ff", pid: null });
  });

  it("rejects other JSON", () => {
    expect(frameWith(framer(), '{"log":"x\\n","stream":"stderr"}').outcome).toBe("unrecognised");
    expect(frameWith(framer(), "{not json").outcome).toBe("unrecognised");
  });
});

describe("repeat markers", () => {
  it("expands BSD markers with the marker's time and line", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const { outcome, records } = frameWith(
      target,
      "Mar  4 09:15:40 mx1 last message repeated 3 times",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      message: "lost connection",
      line: 2,
      time: at(2024, 2, 4, 9, 15, 40),
    });
  });

  it("expands rsyslog markers", () => {
    const { records } = frameWith(
      framer(2024),
      "Mar  4 09:15:02 mx1 postfix/smtpd[1]: message repeated 2 times: [ lost connection]",
    );
    expect(records.map((record) => record.message)).toEqual(["lost connection", "lost connection"]);
  });

  it("reports a marker without a previous message", () => {
    const { outcome } = frameWith(
      framer(2024),
      "Mar  4 09:15:40 mx1 last message repeated 3 times",
    );
    expect(outcome).toBe("unrecognised");
  });

  it("expands macOS markers between dashes", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 kernel: [12.5] eth0 link up", 1);
    const { outcome, records } = frameWith(
      target,
      "Mar  4 09:15:40 mx1 --- last message repeated 4 times ---",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({
      program: "kernel",
      message: "[12.5] eth0 link up",
      line: 2,
    });
    expect(target.repeatMarkerRecords).toBe(3);
  });

  it("expands macOS markers without a host", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const { outcome, records } = frameWith(
      target,
      "Mar  4 09:15:40 --- last message repeated 1 time ---",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ host: "mx1", message: "lost connection", line: 2 });
  });

  it("expands macOS markers after a colon", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const { outcome, records } = frameWith(
      target,
      "Mar  4 09:15:40: --- last message repeated 3 times ---",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      host: "mx1",
      program: "postfix/smtpd",
      message: "lost connection",
      time: at(2024, 2, 4, 9, 15, 40),
      line: 2,
      fromRepeatMarker: true,
    });
    expect(target.repeatMarkerRecords).toBe(2);
  });

  it("reads colon markers with unpadded days", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const { outcome, records } = frameWith(
      target,
      "Mar 4 09:15:41: --- last message repeated 2 times ---",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(2);
    expect(records[0]?.time).toBe(at(2024, 2, 4, 9, 15, 41));
  });

  it("reads a colon marker after <PRI>", () => {
    const target = framer(2024);
    frameWith(target, "<22>Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const { outcome, records } = frameWith(
      target,
      "<22>Mar  4 09:15:40: --- last message repeated 2 times ---",
      2,
    );
    expect(outcome).toBe("record");
    expect(records).toHaveLength(2);
  });

  it("frames the same second after a colon marker", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    frameWith(target, "Mar  4 09:15:40: --- last message repeated 2 times ---", 2);
    const next = frameWith(target, "Mar  4 09:15:40 mx1 postfix/smtpd[1]: connect", 3);
    expect(next.outcome).toBe("record");
    expect(next.records[0]).toMatchObject({
      host: "mx1",
      message: "connect",
      time: at(2024, 2, 4, 9, 15, 40),
    });
  });

  it("skips colon lines that are no marker", () => {
    const cases = [
      "Mar  4 09:15:40: --- last message repeated 0 times ---",
      "Mar  4 09:15:40: --- last message repeated 2 times --- and more",
      "Mar  4 09:15:40: --- something else ---",
      "Mar  4 09:15:40: last message repeated 2 times",
      "Mar  4 09:15:40:--- last message repeated 2 times ---",
      "Apr 31 09:15:40: --- last message repeated 2 times ---",
      "Mar  4 25:15:40: --- last message repeated 2 times ---",
      "Mar  4 09:15:40x: --- last message repeated 2 times ---",
      "Mar  4 09:15:40:",
    ];
    for (const text of cases) {
      const target = framer(2024);
      frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
      const framed = frameWith(target, text, 2);
      expect(framed.outcome, text).toBe("unrecognised");
      expect(framed.records, text).toEqual([]);
      expect(target.repeatMarkerRecords, text).toBe(0);
    }
  });

  it("skips a colon marker without a previous line", () => {
    const framed = frameWith(
      framer(2024),
      "Mar  4 09:15:40: --- last message repeated 2 times ---",
    );
    expect(framed.outcome).toBe("unrecognised");
    expect(framed.records).toEqual([]);
  });

  it("skips a marker with a zero count", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    const dashed = frameWith(target, "Mar  4 09:15:40 mx1 --- last message repeated 0 times ---");
    const plain = frameWith(target, "Mar  4 09:15:41 mx1 last message repeated 0 times");
    expect(dashed.outcome).toBe("unrecognised");
    expect(plain.outcome).toBe("unrecognised");
    expect(target.repeatMarkerRecords).toBe(0);
  });

  it("counts the records markers add", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection", 1);
    frameWith(target, "Mar  4 09:15:40 mx1 last message repeated 3 times", 2);
    frameWith(target, "Mar  4 09:15:41 mx1 postfix/smtpd[1]: message repeated 2 times: [ x]", 3);
    expect(target.repeatMarkerRecords).toBe(2 + 1);
  });

  it("repeats across a continuing file", () => {
    const target = framer(2024);
    frameWith(target, "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection");
    target.startFile("mail.log", MARCH_2024, true);
    const { records } = frameWith(target, "Mar  4 09:15:40 mx1 last message repeated 2 times");
    expect(records).toHaveLength(2);
    expect(records[0]?.file).toBe("mail.log");
  });
});

describe("other lines", () => {
  it("counts blank lines", () => {
    for (const line of ["", "   ", "\t\r", "\u0000\u0000"]) {
      expect(frameWith(framer(), line).outcome, JSON.stringify(line)).toBe("blank");
    }
  });

  it("frames a line after a UTF-8 BOM", () => {
    const record = frameOne("\u00ef\u00bb\u00bfMar  4 09:15:02 mx1 postfix/smtpd[1]: x");
    expect(record.program).toBe("postfix/smtpd");
  });

  it("keeps CR and NUL bytes inside the message", () => {
    const record = frameOne("2024-03-04T09:15:03Z [U.1] a\r\n250-PIPELINING\u0000 x");
    expect(record.message).toBe("[U.1] a\r\n250-PIPELINING\u0000 x");
  });

  it("rejects junk", () => {
    for (const line of [
      "# comment",
      "orig_to=<a@example.com>, relay=x",
      "\u00ff\u00fe binary",
      "@junk",
    ]) {
      expect(frameWith(framer(), line).outcome, line).toBe("unrecognised");
    }
  });
});

describe("year inference against the mtime's date", () => {
  // The file was last written on 4 December 2026 at 12:00 UTC.
  const DECEMBER_4 = Date.UTC(2026, 11, 4, 12, 0, 0);

  function timeOf(text: string, referenceMs: number, zone = UTC): number | undefined {
    const target = new LineFramer({ timeZone: zone });
    target.startFile("mail.log", referenceMs, false);
    return frameWith(target, text).records[0]?.time;
  }

  it("puts a later day of the mtime's month in the year before", () => {
    expect(timeOf("Dec  5 10:00:01 mx1 postfix/smtpd[1]: x", DECEMBER_4)).toBe(
      at(2025, 11, 5, 10, 0, 1),
    );
  });

  it("keeps the mtime's day and earlier days in its year", () => {
    expect(timeOf("Dec  4 11:59:00 mx1 postfix/smtpd[1]: x", DECEMBER_4)).toBe(
      at(2026, 11, 4, 11, 59, 0),
    );
    expect(timeOf("Dec  1 08:00:00 mx1 postfix/smtpd[1]: x", DECEMBER_4)).toBe(
      at(2026, 11, 1, 8, 0, 0),
    );
  });

  // A log written in another zone than the one it is read in can seem hours late.
  it("allows a line hours after the mtime", () => {
    expect(timeOf("Dec  4 23:30:00 mx1 postfix/smtpd[1]: x", DECEMBER_4)).toBe(
      at(2026, 11, 4, 23, 30, 0),
    );
  });

  it("puts New Year's Day after a late December 31 mtime in the next year", () => {
    const lateDecember = Date.UTC(2026, 11, 31, 22, 0, 0);
    expect(timeOf("Jan  1 01:00:00 mx1 postfix/smtpd[1]: x", lateDecember)).toBe(
      at(2027, 0, 1, 1, 0, 0),
    );
  });
});

describe("impossible dates", () => {
  const LEAP_DAY = "Feb 29 10:00:00 mx1 postfix/smtpd[1]: x";

  // A framer for a file last written at `referenceMs`, with no year given.
  function guessedFramer(referenceMs: number): LineFramer {
    const target = new LineFramer({ timeZone: UTC });
    target.startFile("mail.log", referenceMs, false);
    return target;
  }

  // Frames `lines` as one file last written at `referenceMs`, and returns each line's time.
  function timesOf(lines: readonly string[], referenceMs: number): number[] {
    const target = guessedFramer(referenceMs);
    return lines.map((line) => {
      const { outcome, records } = frameWith(target, line);
      expect(outcome, line).toBe("record");
      return records[0]?.time ?? NaN;
    });
  }

  it("skips Feb 29 in a given year without it", () => {
    for (const year of [2025, 2027, 2100]) {
      const target = framer(year);
      const { outcome, records } = frameWith(target, LEAP_DAY);

      expect(outcome, String(year)).toBe("unrecognised");
      expect(records, String(year)).toEqual([]);
      expect(target.leapDaySkips, String(year)).toEqual([{ year, lines: 1 }]);
      expect(target.leapDayMoves, String(year)).toEqual([]);
    }
  });

  it("keeps Feb 28 and Mar 1 in the given year", () => {
    const target = framer(2025);
    const before = frameWith(target, "Feb 28 23:00:00 mx1 postfix/smtpd[1]: x");
    const leapDay = frameWith(target, LEAP_DAY);
    const after = frameWith(target, "Mar  1 09:00:00 mx1 postfix/smtpd[1]: x");

    expect(before.records[0]?.time).toBe(at(2025, 1, 28, 23, 0, 0));
    expect(leapDay.outcome).toBe("unrecognised");
    expect(after.records[0]?.time).toBe(at(2025, 2, 1, 9, 0, 0));
  });

  it("counts skipped Feb 29 lines per year", () => {
    const target = framer(2024);
    frameWith(target, "Nov 30 10:00:00 mx1 postfix/smtpd[1]: x");
    frameWith(target, "Jan  1 10:00:00 mx1 postfix/smtpd[1]: x");
    frameWith(target, LEAP_DAY);
    frameWith(target, "Feb 29 10:00:01 mx1 postfix/smtpd[1]: x");

    // The log passed into 2025 after its first line in 2024.
    expect(target.leapDaySkips).toEqual([{ year: 2025, lines: 2 }]);
  });

  it("forgets skips at a new file set", () => {
    const target = framer(2025);
    frameWith(target, LEAP_DAY);
    target.startFile("other.log", MARCH_2024, false);

    expect(target.leapDaySkips).toEqual([]);
  });

  it("moves Feb 29 when no nearby year is a leap year", () => {
    const target = guessedFramer(Date.UTC(2026, 5, 1));
    expect(frameWith(target, LEAP_DAY).records[0]?.time).toBe(at(2024, 1, 29, 10, 0, 0));
    // 2100 is no leap year, so the leap year before it is 2096.
    const target2101 = guessedFramer(Date.UTC(2101, 5, 1));
    expect(frameWith(target2101, LEAP_DAY).records[0]?.time).toBe(at(2096, 1, 29, 10, 0, 0));
  });

  it("moves Feb 29 guessed from the mtime", () => {
    const june2026 = Date.UTC(2026, 5, 1);
    const times = timesOf([LEAP_DAY, "Mar  1 09:00:00 mx1 postfix/smtpd[1]: x"], june2026);

    expect(times[0]).toBe(at(2024, 1, 29, 10, 0, 0));
    // The lines after the leap day continue in its year.
    expect(times[1]).toBe(at(2024, 2, 1, 9, 0, 0));
  });

  it("keeps newest-first order in the leap year", () => {
    // `zcat -f mail.log*` of March 2024 read on 6 December 2026: the newest file comes first.
    const lines = [
      "Mar  1 09:00:00 mx1 postfix/smtpd[1]: x",
      LEAP_DAY,
      "Feb 28 10:00:00 mx1 postfix/smtpd[1]: x",
      "Jan 15 10:00:00 mx1 postfix/smtpd[1]: x",
    ];
    const times = timesOf(lines, Date.UTC(2026, 11, 6));

    expect(times[0]).toBe(at(2026, 2, 1, 9, 0, 0));
    expect(times[1]).toBe(at(2024, 1, 29, 10, 0, 0));
    expect(times[2]).toBe(at(2024, 1, 28, 10, 0, 0));
    expect(times[3]).toBe(at(2024, 0, 15, 10, 0, 0));
  });

  it("still starts the next year after Feb 29", () => {
    const lines = [
      LEAP_DAY,
      "Aug 31 23:00:00 mx1 postfix/smtpd[1]: x",
      "Jan  1 01:00:00 mx1 postfix/smtpd[1]: x",
    ];
    const times = timesOf(lines, Date.UTC(2026, 11, 6));

    expect(times[1]).toBe(at(2024, 7, 31, 23, 0, 0));
    // January after August goes back by seven months, so a new year starts.
    expect(times[2]).toBe(at(2025, 0, 1, 1, 0, 0));
  });

  it("takes yearsBack off the first line", () => {
    const target = new LineFramer({ timeZone: UTC });
    target.startFile("mail.log", Date.UTC(2025, 5, 1), false, 1);
    const before = frameWith(target, "Feb 28 23:00:00 mx1 postfix/smtpd[1]: x");
    const leapDay = frameWith(target, LEAP_DAY);

    expect(before.records[0]?.time).toBe(at(2024, 1, 28, 23, 0, 0));
    expect(leapDay.records[0]?.time).toBe(at(2024, 1, 29, 10, 0, 0));
    expect(target.inferredYear).toBe(2024);
    expect(target.leapDayMoves).toEqual([]);
  });

  it("ignores yearsBack with --year", () => {
    const target = framer(2025);
    target.startFile("mail.log", Date.UTC(2025, 5, 1), false, 1);

    expect(frameWith(target, "Feb 28 23:00:00 mx1 postfix/smtpd[1]: x").records[0]?.time).toBe(
      at(2025, 1, 28, 23, 0, 0),
    );
  });

  it("reports each move once", () => {
    const target = guessedFramer(Date.UTC(2025, 5, 1));
    frameWith(target, LEAP_DAY);
    frameWith(target, "Feb 29 10:00:01 mx1 postfix/smtpd[1]: x");

    expect(target.leapDayMoves).toEqual([{ fromYear: 2025, toYear: 2024 }]);
  });

  it("reports no move in a leap year", () => {
    const target = framer(2024);
    expect(frameWith(target, LEAP_DAY).records[0]?.time).toBe(at(2024, 1, 29, 10, 0, 0));
    expect(target.leapDayMoves).toEqual([]);
  });

  it("forgets moves at a new file set", () => {
    const target = guessedFramer(Date.UTC(2025, 5, 1));
    frameWith(target, LEAP_DAY);
    target.startFile("other.log", MARCH_2024, false);

    expect(target.leapDayMoves).toEqual([]);
  });

  it("counts a date that no year has as unrecognised", () => {
    const lines = [
      "Feb 30 10:00:00 mx1 postfix/smtpd[1]: x",
      "Apr 31 10:00:00 mx1 postfix/smtpd[1]: x",
    ];
    for (const line of lines) {
      const { outcome, records } = frameWith(framer(2026), line);
      expect(outcome, line).toBe("unrecognised");
      expect(records, line).toEqual([]);
    }
  });
});

describe("NUL bytes before a line", () => {
  it("frames the line after a run of NULs", () => {
    const record = frameOne(
      "\u0000".repeat(4096) +
        "Mar  4 09:15:02 mx1 postfix/smtp[2213]: 4B7E21C0A3: to=<a@example.net>",
    );
    expect(record.time).toBe(at(2024, 2, 4, 9, 15, 2));
    expect(record.program).toBe("postfix/smtp");
    expect(record.message).toBe("4B7E21C0A3: to=<a@example.net>");
  });

  it("counts NULs before junk as unrecognised", () => {
    expect(frameWith(framer(), "\u0000\u0000junk").outcome).toBe("unrecognised");
  });
});
