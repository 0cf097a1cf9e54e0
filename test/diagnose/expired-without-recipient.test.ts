import { describe, expect, test } from "vitest";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/** A Sendmail 5-day return whose deferrals all came before the log, and its local delivery. */
const SENDMAIL_RETURN = [
  "Jan  3 09:40:00 mx sm-mta[505]: 5BT9A0ff004001: 5C39e0gg000505: DSN: Cannot send message for 5 days",
  "Jan  3 09:40:00 mx sm-mta[505]: 5C39e0gg000505: to=<fay@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=31800, dsn=2.0.0, stat=Sent",
];

/** The same return in Postfix's log: qmgr's expiry line, the bounce and its local delivery. */
const POSTFIX_RETURN = [
  "Jan  3 09:40:00 mx postfix/qmgr[102]: 4A1B2C3D99: from=<fay@example.com>, status=expired, returned to sender",
  "Jan  3 09:40:00 mx postfix/cleanup[101]: 4A1B2C3DA0: message-id=<20250103094000.4A1B2C3DA0@mx.example.com>",
  "Jan  3 09:40:00 mx postfix/bounce[103]: 4A1B2C3D99: sender non-delivery notification: 4A1B2C3DA0",
  "Jan  3 09:40:00 mx postfix/qmgr[102]: 4A1B2C3DA0: from=<>, size=2000, nrcpt=1 (queue active)",
  "Jan  3 09:40:00 mx postfix/local[104]: 4A1B2C3DA0: to=<fay@example.com>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)",
  "Jan  3 09:40:00 mx postfix/qmgr[102]: 4A1B2C3DA0: removed",
];

const SENTENCE = "1 message expired in the queue and was returned to its sender, so it was lost.";

describe("expiry without a logged deferral", () => {
  for (const [mta, lines] of [
    ["Sendmail", SENDMAIL_RETURN],
    ["Postfix", POSTFIX_RETURN],
  ] as const) {
    test(`${mta} return is counted`, async () => {
      const diagnosis = await diagnoseText(lines.join("\n") + "\n", { year: 2025 });
      const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
      const markdown = renderDiagnosisMarkdown(diagnosis).replace(/\s+/g, " ");

      expect(diagnosis.server.expiredWithoutRecipient).toBe(1);
      expect(Object.keys(diagnosis.providers)).toEqual([]);
      expect(diagnosis.localDeliveryFailures.bounced).toBe(0);
      expect(text).toContain(SENTENCE);
      expect(text).toContain("the recipients and their providers are unknown");
      expect(markdown).toContain(SENTENCE);
    });
  }

  test("two returns are counted apart", async () => {
    const second = SENDMAIL_RETURN.map((line) =>
      line
        .replace("09:40:00", "10:40:00")
        .replaceAll("004001", "004002")
        .replaceAll("000505", "000506"),
    );
    const diagnosis = await diagnoseText([...SENDMAIL_RETURN, ...second].join("\n") + "\n", {
      year: 2025,
    });
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(diagnosis.server.expiredWithoutRecipient).toBe(2);
    expect(text).toContain("2 messages expired in the queue and were returned to their senders");
  });
});
