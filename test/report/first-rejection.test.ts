import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

/**
 * Builds a Postfix log in which Gmail accepts a message an hour for a day, defers 12 messages
 * from 2024-03-05 00:00, rejects 12 as spam from 01:00, and accepts 2 more at 02:00 and 02:05.
 */
function deferThenRejectLog(): string {
  const log = new PostfixLog("mail");
  log.submitHourly();
  const send = (time: number, index: number, outcome?: Outcome) => {
    log.submit({
      time,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@gmail.com`, ...(outcome && { outcome }) }],
    });
  };
  for (let index = 0; index < 12; index++) {
    send(T0 + 24 * HOUR + index * 5 * MINUTE, index, GMAIL_RATE_LIMIT);
    send(T0 + 25 * HOUR + index * 5 * MINUTE, 100 + index, GMAIL_UNSOLICITED);
  }
  send(T0 + 26 * HOUR, 200);
  send(T0 + 26 * HOUR + 5 * MINUTE, 201);
  return log.text();
}

describe("first rejection after deferrals", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(deferThenRejectLog());
  });

  test("JSON keeps both first replies", () => {
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.firstBlock?.time).toBe("2024-03-05T00:00:01Z");
    expect(gmail?.firstPermanentBlock?.time).toBe("2024-03-05T01:00:01Z");
  });

  test("verdict names the first rejection", () => {
    expect(diagnosis.verdict.summary).toContain(
      "Gmail deferred and then rejected mail from this server from 2024-03-05T00:00:01Z to 2024-03-05T01:55:01Z, the first rejection at 2024-03-05T01:00:01Z, and has accepted 2 deliveries since",
    );
  });

  test("text row gives both first replies", () => {
    const lines = renderDiagnosisText(diagnosis, painter(false)).split("\n");
    const defer = lines.findIndex((line) => line.startsWith("    first defer "));
    const block = lines.findIndex((line) => line.startsWith("    first rejection "));

    expect(lines[defer]).toMatch(/^ {4}first defer 2024-03-05 00:00:01 421 4\.7\.28: /);
    expect(lines[block]).toMatch(/^ {4}first rejection 2024-03-05 01:00:01 550 5\.7\.1: /);
    expect(block).toBeGreaterThan(defer);
  });

  test("Markdown row gives the first rejection", () => {
    const row = renderDiagnosisMarkdown(diagnosis)
      .split("\n")
      .find((line) => line.startsWith("| Gmail |"));

    expect(row).toContain("First rejection 2024-03-05 01:00:01 `550 5.7.1`");
  });
});
