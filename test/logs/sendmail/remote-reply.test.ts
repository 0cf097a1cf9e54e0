import { describe, expect, test } from "vitest";
import type { DeliveryEvent } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { diagnoseText } from "../../helpers/diagnose-text.js";
import { runParser } from "../exim/frame.js";

const GMAIL_SPAM_REPLY =
  "550 5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely " +
  "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been " +
  "blocked. b2si3 - gsmtp";

/** Writes a Sendmail log line for one Gmail recipient of message `index`. */
function toLine(index: number, tail: string): string {
  const second = String(index % 60).padStart(2, "0");
  const minute = String(Math.floor(index / 60)).padStart(2, "0");
  const id = `424EF3${String(index).padStart(4, "0")}003120`;
  return (
    `Mar  4 10:${minute}:${second} mx1 sm-mta[3122]: ${id}: to=<reader${index}@gmail.com>, ` +
    "delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=124100, " +
    `relay=gmail-smtp-in.l.google.com. [192.0.2.27], ${tail}`
  );
}

/** Writes the from= line of message `index`, submitted from 198.51.100.7. */
function fromLine(index: number): string {
  const second = String(index % 60).padStart(2, "0");
  const minute = String(Math.floor(index / 60)).padStart(2, "0");
  const id = `424EF3${String(index).padStart(4, "0")}003120`;
  return (
    `Mar  4 10:${minute}:${second} mx1 sm-mta[3120]: ${id}: from=<news@example.com>, ` +
    `size=4312, class=0, nrcpts=1, msgid=<${index}@example.com>, proto=ESMTPSA, ` +
    "daemon=MTA-MSA, relay=laptop.example.com [198.51.100.7]"
  );
}

describe("Sendmail reply= field", () => {
  test("reply= is the response", () => {
    const { events } = runParser(
      createSendmailParser,
      [toLine(0, `reply=${GMAIL_SPAM_REPLY}, dsn=5.7.1, stat=Service unavailable`)],
      { year: 2024 },
    );
    const delivery = events.find((event): event is DeliveryEvent => event.type === "delivery");

    expect(delivery?.status).toBe("bounced");
    expect(delivery?.response).toBe(GMAIL_SPAM_REPLY);
  });

  test("stat= without reply= stays the response", () => {
    const { events } = runParser(
      createSendmailParser,
      [toLine(0, "dsn=5.1.1, stat=User unknown")],
      { year: 2024 },
    );
    const delivery = events.find((event): event is DeliveryEvent => event.type === "delivery");

    expect(delivery?.response).toBe("User unknown");
  });

  test("Gmail spam block is read from reply=", async () => {
    const lines: string[] = [];
    for (let index = 0; index < 40; index++) {
      lines.push(fromLine(index));
      lines.push(
        index < 20
          ? toLine(index, "dsn=2.0.0, stat=Sent (OK 1709546532 b2si3 - gsmtp)")
          : toLine(index, `reply=${GMAIL_SPAM_REPLY}, dsn=5.7.1, stat=Service unavailable`),
      );
    }
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`, { year: 2024 });
    const gmail = diagnosis.providers["gmail"];

    expect(gmail?.status).toBe("blocked");
    expect(gmail?.firstPermanentBlock?.replyCode).toBe(550);
    expect(gmail?.firstPermanentBlock?.judgedIp).toBe("203.0.113.10");
    expect(gmail?.firstPermanentBlock?.ruleId).toBe("gmail.likely-unsolicited");
    expect(diagnosis.findings.map((finding) => finding.id)).toContain("spam-content");
  });
});
