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
  addListMail(log, recipients, unknown);
  return log.text();
}

/** Adds the newsletter mail of `listLog` to `log`. */
function addListMail(log: PostfixLog, recipients: number, unknown: number): void {
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

describe("unknown-recipients wording", () => {
  test("title and summary share precision", async () => {
    const finding = await unknownFinding(500, 19);

    expect(finding?.title).toBe(
      "19 recipients did not exist, 19 of them in mail from news@example.com (3.8 % of its recipients)",
    );
    expect(finding?.summary).toMatch(
      /^Receivers answered "no such user" for 3\.8 % of all outbound recipients\. /,
    );
  });

  test("info fix starts with list hygiene", async () => {
    const finding = await unknownFinding(500, 19);

    expect(finding?.severity).toBe("info");
    // The sender is named even below 5 % of its own recipients, because the log shows it.
    expect(finding?.fix[0]).toBe(
      "Clean the list of news@example.com: find where its unknown addresses came from, and check that it removes every address that bounces as unknown.",
    );
    expect(finding?.fix[0]).not.toContain("stop");
  });

  test("info fix names the list's sender", async () => {
    const log = new PostfixLog("mx");
    addListMail(log, 200, 12);
    for (let i = 0; i < 20; i++) {
      log.submit({
        time: T0 + i * HOUR + 1_000,
        account: "alice@example.com",
        clientIp: "198.51.100.11",
        recipients: Array.from({ length: 10 }, (_, j) => ({
          address: `partner${i}.${j}@example.net`,
        })),
      });
    }
    const diagnosis = await diagnoseText(log.text());
    const finding = diagnosis.findings.find((entry) => entry.id === "unknown-recipients");

    expect(finding?.severity).toBe("info");
    expect(finding?.fix[0]).toBe(
      "Clean the list of news@example.com: find where its unknown addresses came from, and check that it removes every address that bounces as unknown.",
    );
  });

  test("warning fix stops the mailing", async () => {
    const finding = await unknownFinding(500, 30);

    expect(finding?.severity).toBe("warning");
    expect(finding?.fix[0]).toBe(
      "Stop the mailing of news@example.com and find where its list came from; never send to bought or scraped lists.",
    );
  });
});
