import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./reader/temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const UTC = resolveTimeZone("UTC");
const NOW = Date.UTC(2024, 2, 10);

const BOUNCED =
  "mail postfix/smtp[1]: ABCDEF0124: to=<zed@gmail.com>, relay=gmail-smtp-in.l.google.com" +
  "[192.0.2.27]:25, delay=1, delays=0.1/0/0.3/0.4, dsn=5.7.1, status=bounced (host " +
  "gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.10] Gmail has detected " +
  "that this message is likely unsolicited mail. (in reply to end of DATA command))";

// Postfix lines with RFC 3339 stamps, one connect and disconnect pair a minute from 10:00 on
// 2024-03-06, and a Gmail block reply at 10:30.
function yearedLog(minutes: number): string[] {
  const lines: string[] = [];
  for (let minute = 0; minute < minutes; minute += 1) {
    const stamp = `2024-03-06T${String(10 + Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:00+00:00`;
    lines.push(`${stamp} mail postfix/smtpd[2]: connect from a.example.net[198.51.100.7]`);
    lines.push(`${stamp} mail postfix/smtpd[2]: disconnect from a.example.net[198.51.100.7]`);
  }
  lines.push(`2024-03-06T10:30:00+00:00 ${BOUNCED}`);
  return lines;
}

async function analyse(lines: readonly string[], year?: number) {
  await dir.write("mail.log", `${lines.join("\n")}\n`);
  const run = await analyseLogs(["mail.log"], { timeZone: UTC, cwd: dir.path, now: NOW, year });
  return { run, input: inputReport(run, UTC) };
}

describe("clock faults", () => {
  it("sets aside a 1970 line", async () => {
    const lines = [`1970-01-01T00:00:01+00:00 ${BOUNCED}`, ...yearedLog(60)];
    const { run, input } = await analyse(lines);

    expect(input.firstTime).toBe("2024-03-06T10:00:00Z");
    expect(input.clockFaultLines).toBe(1);
    expect(run.summary.totals.records).toBe(lines.length - 1);
    const note = input.notes.find((text) => text.startsWith("Set aside 1 line of mail.log"));
    expect(note).toContain("1970-01-01T00:00:01Z at line 1");
  });

  it("sets aside a 2099 line", async () => {
    const lines = [...yearedLog(60), `2099-01-01T00:00:00+00:00 ${BOUNCED}`];
    const { input } = await analyse(lines);

    expect(input.lastTime).toBe("2024-03-06T10:59:00Z");
    expect(input.clockFaultLines).toBe(1);
    expect(input.notes.some((text) => text.includes("dated after today"))).toBe(false);
    expect(input.notes.some((text) => text.includes("--year"))).toBe(false);
  });

  it("counts set-aside lines in the sum", async () => {
    const lines = [`1970-01-01T00:00:01+00:00 ${BOUNCED}`, `1980-05-01T00:00:01+00:00 ${BOUNCED}`];
    const { input } = await analyse([...lines, ...yearedLog(10)]);
    const counted =
      input.parsed +
      input.ignored +
      input.unparsed +
      input.unrecognised +
      input.blank +
      input.copiedLines +
      input.exactRepeatLines +
      input.clockFaultLines;

    expect(input.clockFaultLines).toBe(2);
    expect(counted).toBe(input.lines + input.repeatMarkerRecords);
    expect(input.notes.some((text) => text.startsWith("Set aside 2 lines of mail.log"))).toBe(true);
  });

  it("keeps future classic stamps", async () => {
    const { input } = await analyse([`Mar  6 10:00:00 ${BOUNCED}`], 2099);

    expect(input.clockFaultLines).toBe(0);
    expect(input.firstTime).toBe("2099-03-06T10:00:00Z");
    expect(input.notes.some((text) => text.includes("dated after today"))).toBe(true);
  });
});
