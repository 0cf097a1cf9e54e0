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

function framer(): LineFramer {
  const result = new LineFramer({ timeZone: UTC, year: 2024 });
  result.startFile("mail.log", MARCH_2024, false);
  return result;
}

// Frames `lines` twice with framers of their own: as text with `frame`, and as bytes with
// `frameBytes`, each line at an offset inside one buffer with other bytes around it, as the
// line splitter passes them.
function frameBothWays(lines: readonly string[]): { text: Framed[]; bytes: Framed[] } {
  const textFramer = framer();
  const text = lines.map((line, index) => {
    const records: LogRecord[] = [];
    const outcome = textFramer.frame(line, index + 1, (record) => records.push(record));
    return { outcome, records };
  });

  const bytesFramer = framer();
  const buffer = Buffer.from(`junk\n${lines.join("\n")}\n[9]: junk`, "latin1");
  let start = 5;
  const bytes = lines.map((line, index) => {
    const records: LogRecord[] = [];
    const end = start + line.length;
    const emit = (record: LogRecord): number => records.push(record);
    const outcome = bytesFramer.frameBytes(buffer, start, end, index + 1, emit);
    start = end + 1;
    return { outcome, records };
  });
  return { text, bytes };
}

const STAMP = "Mar  4 09:15:02";

describe("frameBytes", () => {
  it("frames repeated headers like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[2211]: connect from unknown[198.51.100.7]`,
      `${STAMP} mx1 postfix/smtpd[2211]: disconnect from unknown[198.51.100.7]`,
      `${STAMP} mx1 postfix/qmgr[12]: 4BvPdm1XyZz: removed`,
      `${STAMP} mx1 postfix/smtpd[2212]: `,
      `${STAMP} mx1 postfix/smtpd[2212]:`,
      `${STAMP} mx1 postfix/smtpd[2212]`,
      `${STAMP} mx1 postfix/smtpd[2212] :text`,
      `${STAMP} mx1 postfix/smtpd[2212]text`,
      `${STAMP} mx1 kernel: [12.5] eth0 up`,
      `${STAMP} mx1 kernel: `,
      `${STAMP} mx1 dovecot: imap-login: Login: user=<a@example.com>`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
    expect(bytes.filter((framed) => framed.outcome === "record")).toHaveLength(10);
  });

  it("reads odd tags like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[2211]: first`,
      `${STAMP} mx1 postfix/smtpd[]: empty brackets`,
      `${STAMP} mx1 postfix/smtpd[22x]: junk pid`,
      `${STAMP} mx1 postfix/smtpd[12345678901]: long pid`,
      `${STAMP} mx1 postfix/smtpd[1234567890]: ten digits`,
      `${STAMP} mx1 postfix/smtpd[2211`,
      `${STAMP} mx1 postfix/smtpd`,
      `${STAMP} mx1 postfix/smtpd [2211]: spaced`,
      `${STAMP} mx1 [2211]: no program`,
      `${STAMP} mx1 0010 8a 2c ee`,
      `${STAMP} mx1 0010[1]: hex offset with a pid`,
      `${STAMP} mx1 a000[1]: hex letters first`,
      `${STAMP} mx1 ${"p".repeat(70)}[1]: long program`,
      `${STAMP} mx1 ${"p".repeat(70)}[1]: long program again`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
  });

  it("folds Exim tags like frame", () => {
    const lines = [
      `${STAMP} mx1 exim4[100]: 2024-03-04 09:15:02 [100] 1rhA2b-000Abc-1x <= a@example.com`,
      `${STAMP} mx1 exim4[100]: 2024-03-04 09:15:02 1rhA2b-000Abc-1x Completed`,
      `${STAMP} mx1 exim[101]: plain text`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
    expect(bytes[0]?.records[0]?.program).toBe("exim");
  });

  it("follows changes of stamp and host like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[1]: a`,
      `${STAMP} mx2 postfix/smtpd[1]: other host`,
      `${STAMP} mx1 postfix/smtpd[1]: first host again`,
      `Mar  4 09:15:03 mx1 postfix/smtpd[1]: next second`,
      `Mar  4 09:15:0 mx1 postfix/smtpd[1]: cut stamp`,
      `Mar  4 09:15:03`,
      `Mar  4 09:15:03 mx1`,
      `Mar  4 09:15:03 mx1 `,
      `Mar  4 09:15:03 mx10 postfix/smtpd[1]: longer host`,
      `Mar  4 09:15:03 mx postfix/smtpd[1]: shorter host`,
      `Mar  4 09:15:03 <mail.info> mx1 postfix/smtpd[1]: facility prefix`,
      `Mar  4 09:15:03 <mail.info> mx1 postfix/smtpd[1]: facility prefix again`,
      `<22>Mar  4 09:15:04 mx1 postfix/smtpd[1]: priority`,
      `Mar  4 09:15:04 mx1 postfix/smtpd[1]: after a priority`,
      `2024-03-04T09:15:05Z mx1 postfix/smtpd[1]: dated`,
      `Mar  4 09:15:04 mx1 postfix/smtpd[1]: classic after dated`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
  });

  it("reads new stamps like frame", () => {
    const lines = [
      `Sep 8 07:46:30 mx1 postfix/smtpd[1]: unpadded day`,
      `Sep 8 07:46:30 mx1 postfix/smtpd[1]: unpadded day again`,
      `Sep 18 07:46:31 mx1 postfix/smtpd[1]: two-digit day`,
      `Sep 18 07:46:3`,
      `Sep 18 07:46:32`,
      `Sep 18 07:46:33 `,
      `Sep 18 07:46:34 mx1`,
      `Apr 31 07:46:35 mx1 postfix/smtpd[1]: impossible date`,
      `Sep 18 25:46:37 mx1 postfix/smtpd[1]: hour 25`,
      `Sep 18 07:46:60 mx1 postfix/smtpd[1]: leap second`,
      `Sep 18 07:46:60 mx1 postfix/smtpd[1]: leap second again`,
      `Sep 18 07:46:38 mx2 postfix/smtpd[1]: new host`,
      `Sep 18 07:46:39 mx2 postfix/smtpd [1]: spaced tag`,
      `Sep 18 07:46:40 mx2 last message repeated 2 times`,
      `Foo 18 07:46:41 mx2 postfix/smtpd[1]: no month`,
      `Hello world`,
      `H`,
      `Dec 31 23:59:59 mx2 postfix/smtpd[1]: end of the year`,
      `Jan  1 00:00:00 mx2 postfix/smtpd[1]: next year`,
      `Feb 29 07:46:36 mx1 postfix/smtpd[1]: leap day`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
    expect(bytes[18]?.records[0]?.time).toBe(Date.UTC(2025, 0, 1));
  });

  it("expands repeat markers like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[1]: a`,
      `${STAMP} mx1 last message repeated 3 times`,
      `${STAMP} mx1 last[1]: a program named last`,
      `${STAMP} mx1 postfix/smtpd[1]: message repeated 2 times: [ b ]`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
    expect(bytes[1]?.records).toHaveLength(3);
    expect(bytes[3]?.records).toHaveLength(2);
  });

  it("reads colon markers like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[1]: a`,
      `${STAMP}: --- last message repeated 2 times ---`,
      `${STAMP} mx1 postfix/smtpd[1]: same second after a colon marker`,
      `Mar  4 09:15:40: --- last message repeated 3 times ---`,
      `Mar 4 09:15:41: --- last message repeated 1 time ---`,
      `Mar 14 09:15:42: --- last message repeated 2 times ---`,
      `Mar  4 09:15:43: --- last message repeated 0 times ---`,
      `Mar  4 09:15:44: --- something else ---`,
      `Mar  4 09:15:45: last message repeated 2 times`,
      `Apr 31 09:15:46: --- last message repeated 2 times ---`,
      `Mar  4 09:15:4: --- last message repeated 2 times ---`,
      `Mar  4 09:15:47:`,
      `Mar  4 09:15:48x --- last message repeated 2 times ---`,
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
    expect(bytes.map((framed) => framed.records.length)).toEqual([
      1, 2, 1, 3, 1, 2, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it("keeps CRs, NULs and other bytes like frame", () => {
    const lines = [
      `${STAMP} mx1 postfix/smtpd[1]: a`,
      `${STAMP} mx1 postfix/smtpd[1]: trailing CR\r`,
      `${STAMP} mx1 postfix/smtpd[1]: NUL \u0000 inside`,
      `\u0000\u0000${STAMP} mx1 postfix/smtpd[1]: after NULs`,
      `\u00ef\u00bb\u00bf${STAMP} mx1 postfix/smtpd[1]: after a BOM`,
      `${STAMP} mx1 postfix/smtpd[1]: latin1 \u00e9\u00ff`,
      `${STAMP} mx\u00e91 postfix/smtpd[1]: latin1 host`,
      `${STAMP} mx\u00e91 postfix/smtpd[1]: latin1 host again`,
      "",
      "   ",
    ];
    const { text, bytes } = frameBothWays(lines);
    expect(bytes).toEqual(text);
  });
});
