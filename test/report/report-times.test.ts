import { describe, expect, it, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { shortTimesIn } from "../../src/report/wrap.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

describe("shortTimesIn", () => {
  it("rewrites a UTC time", () => {
    expect(shortTimesIn("since 2024-03-05T20:57:01Z, and")).toBe("since 2024-03-05 20:57:01, and");
  });

  it("rewrites a time before a full stop", () => {
    expect(shortTimesIn("since 2024-03-05T20:57:01Z.")).toBe("since 2024-03-05 20:57:01.");
  });

  it("rewrites a time before a colon", () => {
    expect(shortTimesIn("to 2024-03-04T23:58:49Z: if one")).toBe("to 2024-03-04 23:58:49: if one");
  });

  it("keeps the offset of a zone", () => {
    expect(shortTimesIn("at 2024-03-05T21:57:01+01:00 (")).toBe("at 2024-03-05 21:57:01+01:00 (");
  });

  it("leaves a time with fractions", () => {
    const text = "stamp 2024-03-05T20:57:01.123456+00:00 mx1";
    expect(shortTimesIn(text)).toBe(text);
  });

  it("leaves a date alone", () => {
    expect(shortTimesIn("on 2024-03-05, the")).toBe("on 2024-03-05, the");
  });
});

/** Builds a log in which Gmail rejects every message from the tenth hour on. */
function blockedLog(): string {
  const log = new PostfixLog();
  log.submitHourly({ hours: 10 });
  for (let hour = 10; hour < 14; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `r${hour}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  return log.text();
}

describe("report times in sentences", () => {
  test("text verdict uses table format", async () => {
    const diagnosis = await diagnoseText(blockedLog());
    const text = renderDiagnosisText(diagnosis, painter(false));
    const verdict = text.slice(text.indexOf("Verdict:"), text.indexOf("Providers"));

    expect(diagnosis.verdict.summary).toMatch(ISO_TIME);
    expect(verdict).toContain("since 2024-03-04 10:00:01");
    expect(text).not.toMatch(ISO_TIME);
  });

  test("Markdown verdict uses table format", async () => {
    const markdown = renderDiagnosisMarkdown(await diagnoseText(blockedLog()));

    expect(markdown).toContain("since 2024-03-04 10:00:01");
    expect(markdown).not.toMatch(ISO_TIME);
  });

  test("finding samples use table format", async () => {
    const diagnosis = await diagnoseText(blockedLog());
    const first = diagnosis.findings[0];
    expect(first).toBeDefined();
    if (first === undefined) return;
    const sample = {
      file: "mail.log",
      line: 7,
      time: "2024-03-04T10:00:01Z",
      text: "mail to trap@example.net, which bounced as unknown at 2024-03-04T09:00:01Z",
    };
    const withSample = { ...diagnosis, findings: [{ ...first, samples: [sample] }] };
    const text = renderDiagnosisText(withSample, painter(false));
    const markdown = renderDiagnosisMarkdown(withSample);

    expect(text.replace(/\n\s*/g, " ")).toContain("bounced as unknown at 2024-03-04 09:00:01");
    expect(markdown).toContain("bounced as unknown at 2024-03-04 09:00:01");
    expect(text).not.toMatch(ISO_TIME);
  });

  test("input notes use table format", async () => {
    // A line stamped an hour before the one above it makes the clock-step note.
    const log = `${blockedLog()}2024-03-04T12:00:00.000000+00:00 mx1 postfix/smtpd[99]: NOQUEUE: reject: RCPT from unknown[198.51.100.99]: 554 5.7.1 <x@example.com>: Relay access denied; from=<a@example.net> to=<x@example.com> proto=ESMTP helo=<h>\n`;
    const diagnosis = await diagnoseText(log);
    const notes = diagnosis.input.notes.join(" ");
    const text = renderDiagnosisText(diagnosis, painter(false));
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(notes).toMatch(ISO_TIME);
    expect(text).not.toMatch(ISO_TIME);
    expect(markdown).not.toMatch(ISO_TIME);
  });
});
