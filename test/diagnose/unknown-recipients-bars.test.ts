import { describe, expect, test } from "vitest";
import type { Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_NO_SUCH_USER, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

/**
 * Writes a day of newsletter mail to `recipients` Gmail recipients, ten per message, of which
 * the first `unknown` do not exist.
 */
function listLog(recipients: number, unknown: number): string {
  const log = new PostfixLog("mx");
  for (let i = 0; i < recipients / 10; i++) {
    log.submit({
      time: T0 + (i * 24 * HOUR) / (recipients / 10),
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: Array.from({ length: 10 }, (_, j) => ({
        address: `reader${i}.${j}@gmail.com`,
        outcome: i * 10 + j < unknown ? GMAIL_NO_SUCH_USER : SENT,
      })),
    });
  }
  return log.text();
}

async function unknownFinding(recipients: number, unknown: number): Promise<Finding | undefined> {
  const diagnosis = await diagnoseText(listLog(recipients, unknown));
  return diagnosis.findings.find((finding) => finding.id === "unknown-recipients");
}

describe("unknown-recipients rate bar", () => {
  test("2 % makes an info finding", async () => {
    const finding = await unknownFinding(500, 10);

    expect(finding?.severity).toBe("info");
    expect((finding?.evidence as { rate?: number }).rate).toBe(0.02);
  });

  test("just under 2 % makes none", async () => {
    expect(await unknownFinding(510, 10)).toBeUndefined();
  });
});

describe("unknown-recipients count bar", () => {
  test("10 unknown recipients are enough", async () => {
    const finding = await unknownFinding(300, 10);

    expect(finding).toBeDefined();
    expect((finding?.evidence as { count?: number }).count).toBe(10);
  });

  test("9 unknown recipients are not", async () => {
    expect(await unknownFinding(300, 9)).toBeUndefined();
  });
});

describe("unknown-recipients severity bars", () => {
  test("just under 5 % stays info", async () => {
    expect((await unknownFinding(500, 24))?.severity).toBe("info");
  });

  test("5 % makes a warning", async () => {
    expect((await unknownFinding(500, 25))?.severity).toBe("warning");
  });
});
