import { describe, expect, test } from "vitest";
import type { Diagnosis, ProviderVerdict } from "../../src/diagnose/types.js";
import { LIFT_RULE_TEXT } from "../../src/diagnose/verdict.js";
import { painter } from "../../src/report/colour.js";
import { evidenceLines, percent } from "../../src/report/evidence.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text());
}

function text(diagnosis: Diagnosis): string {
  return renderDiagnosisText(diagnosis, painter(false));
}

/** Joins the report's lines and indents into single spaces, for phrases that wrap. */
function flat(report: string): string {
  return report.replace(/\s+/g, " ");
}

const TLS_REQUIRED: Outcome = {
  status: "bounced",
  dsn: "5.7.0",
  reply: "530 5.7.0 Must issue a STARTTLS command first",
};

describe("text report wording", () => {
  test("deferrals alone are not called rejections", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const report = text(await diagnose(log));

    expect(report).toContain("24 attempts to 24 addresses deferred;");
    expect(report).not.toMatch(/recipients rejected/);
    expect(flat(report)).toContain("Gmail still deferred mail in the last two hours");
    expect(report).toContain("24 deferrals since");
    expect(report).not.toContain("temporary rejections");
  });

  test("TLS deferrals are not called rejections", async () => {
    const log = new PostfixLog();
    const tlsDeferral: Outcome = {
      status: "deferred",
      dsn: "4.7.29",
      reply:
        "421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. 421 4.7.29 d4si5 - gsmtp",
    };
    log.submitHourly({ outcome: tlsDeferral });
    const diagnosis = await diagnose(log);
    const tls = diagnosis.findings.find((finding) => finding.id === "tls-required");

    expect(tls?.title).toBe("Gmail defers mail sent without TLS");
    expect(tls?.summary).toMatch(/^24 replies ask for TLS\./);
  });

  test("permanent blocks say rejected or deferred", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_UNSOLICITED });
    const report = text(await diagnose(log));

    expect(flat(report)).toContain("24 attempts to 24 addresses rejected or deferred;");
  });

  test("verdict explains a blocked other receivers row", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    log.submitHourly({
      recipient: (hour) => `partner${hour}@receiver${hour % 3}.example`,
      outcome: TLS_REQUIRED,
    });
    const diagnosis = await diagnose(log);

    expect(diagnosis.verdict.status).toBe("rate-limited");
    expect(diagnosis.providers.other?.status).toBe("blocked");
    expect(diagnosis.verdict.summary).toContain("; other receivers reject mail");
    expect(diagnosis.verdict.summary).toContain(
      'The "other receivers" row mixes many small servers with their own rules, so its rejections do not set the overall verdict.',
    );
  });

  test("verdict sentence starts with a capital", async () => {
    const log = new PostfixLog();
    log.submitHourly({
      recipient: (hour) => `partner${hour}@receiver${hour % 3}.example`,
      outcome: TLS_REQUIRED,
    });
    const diagnosis = await diagnose(log);

    expect(diagnosis.verdict.summary).toMatch(/^Other receivers reject mail/);
  });

  test("finding headings name their role", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const report = text(await diagnose(log));

    expect(report).toMatch(/ 1\. WARNING rate-limited \(consequence\)/);
    expect(report).toContain("Findings: causes first");
  });

  test("ongoing status reads alike in Markdown", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const diagnosis = await diagnose(log);
    const report = text(diagnosis);
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(diagnosis.providers.gmail?.ongoing).toBe(true);
    expect(report).toMatch(/^ {2}Gmail +rate-limited +\d/m);
    expect(markdown).toContain("| Gmail | rate-limited |");
    expect(markdown).not.toContain("(ongoing)");
    expect(flat(report)).toContain("still going on at the end of the log");
    expect(flat(markdown)).toContain("still going on at the end of the log");
  });

  test("one line reads in the singular", async () => {
    const log = new PostfixLog();
    log.raw(
      T0,
      "2024-03-04T00:00:00+00:00 mail postfix/smtp[1]: 0000010007: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    );
    const report = text(await diagnose(log));

    expect(report).toMatch(/^delist diagnose: 1 line from /);
  });

  test("providers without attempts get no row", async () => {
    const log = new PostfixLog();
    log.submitHourly();
    const diagnosis = await diagnose(log);
    const gmail = diagnosis.providers.gmail as ProviderVerdict;
    const idle: ProviderVerdict = { ...gmail, name: "Outlook.com", attempts: 0, sent: 0 };
    const shown = { ...diagnosis, providers: { ...diagnosis.providers, outlook: idle } };

    expect(text(shown)).not.toMatch(/^ {2}Outlook\.com/m);
    expect(renderDiagnosisMarkdown(shown)).not.toContain("| Outlook.com |");
    expect(text(shown)).toMatch(/^ {2}Gmail/m);
  });
});

describe("provider row order", () => {
  /** Builds a log where busy Outlook.com and Yahoo take mail and quiet Gmail rejects it. */
  function mixedLog(): PostfixLog {
    const log = new PostfixLog();
    log.submitHourly({ hours: 12, recipient: (hour) => `friend${hour}@outlook.com` });
    log.submitHourly({ hours: 8, recipient: (hour) => `friend${hour}@yahoo.com` });
    log.submitHourly({ hours: 3, outcome: GMAIL_UNSOLICITED });
    return log;
  }

  /** Returns the provider names of the rows of a report, in order. */
  function rowNames(report: string, pattern: RegExp): string[] {
    return [...report.matchAll(pattern)].map((match) => match[1] ?? "");
  }

  test("blocked rows come first", async () => {
    const diagnosis = await diagnose(mixedLog());
    const names = rowNames(text(diagnosis), /^ {2}(Gmail|Outlook\.com|Yahoo\/AOL) {2,}/gm);

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(names).toEqual(["Gmail", "Outlook.com", "Yahoo/AOL"]);
  });

  test("markdown rows come first too", async () => {
    const markdown = renderDiagnosisMarkdown(await diagnose(mixedLog()));
    const names = rowNames(markdown, /^\| (Gmail|Outlook\.com|Yahoo\/AOL) \|/gm);

    expect(names).toEqual(["Gmail", "Outlook.com", "Yahoo/AOL"]);
  });
});

describe("sample lines", () => {
  /** Returns a diagnosis whose second finding has the same sample lines as its first. */
  async function sharedSamples(): Promise<Diagnosis> {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const diagnosis = await diagnose(log);
    const first = diagnosis.findings.find((item) => item.samples.length > 0);
    if (first === undefined) throw new Error("the fixture has no finding with a sample line");
    const copy = { ...first, id: "spam-content" as const };
    return { ...diagnosis, findings: [first, copy] };
  }

  test("text quotes a reply once", async () => {
    const diagnosis = await sharedSamples();
    const sample = diagnosis.findings[0]?.samples[0];
    const report = flat(text(diagnosis));

    expect(sample).toBeDefined();
    expect(report.split(sample?.text ?? "?")).toHaveLength(2);
    expect(report).toContain(`line ${sample?.file}:${sample?.line}, quoted under finding 1`);
  });

  test("markdown quotes a reply once", async () => {
    const diagnosis = await sharedSamples();
    const sample = diagnosis.findings[0]?.samples[0];
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(markdown).toContain(`\`${sample?.file}:${sample?.line}\`: quoted under \``);
    expect(markdown.split(`\`${sample?.file}:${sample?.line}\`:`)).toHaveLength(3);
  });
});

describe("lift rule", () => {
  /** Builds a log where Gmail rejects six hourly messages and then accepts three. */
  function acceptedTooSoonLog(): PostfixLog {
    const log = new PostfixLog();
    for (let hour = 0; hour < 9; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [
          { address: `friend${hour}@gmail.com`, outcome: hour < 6 ? GMAIL_UNSOLICITED : SENT },
        ],
      });
    }
    return log;
  }

  test("text states it once", async () => {
    const diagnosis = await diagnose(acceptedTooSoonLog());
    const details = diagnosis.readiness.items.map((item) => item.detail).join(" ");
    const report = flat(text(diagnosis));

    expect(diagnosis.verdict.summary).toContain(LIFT_RULE_TEXT);
    expect(details).toContain(LIFT_RULE_TEXT);
    expect(report.split("A block counts as lifted once")).toHaveLength(2);
    expect(report.indexOf("A block counts as lifted once")).toBeGreaterThan(
      report.indexOf("Removal readiness"),
    );
    expect(report).not.toContain("The verdict above gives the rule for a lifted block.");
  });

  test("markdown states it once", async () => {
    const markdown = flat(renderDiagnosisMarkdown(await diagnose(acceptedTooSoonLog())));

    expect(markdown.split("A block counts as lifted once")).toHaveLength(2);
  });
});

describe("readiness wording", () => {
  test("other receivers start a sentence in capitals", async () => {
    const log = new PostfixLog();
    log.submitHourly({
      recipient: (hour) => `partner${hour}@receiver${hour % 3}.example`,
      outcome: TLS_REQUIRED,
    });
    const diagnosis = await diagnose(log);
    const ended = diagnosis.readiness.items.find((item) => item.id === "blocks-ended");

    expect(diagnosis.providers.other?.status).toBe("blocked");
    expect(ended?.detail).toContain("Other receivers still rejected mail");
    expect(ended?.detail).not.toContain("other receivers still");
  });

  test("cause found is not applicable on a healthy log", async () => {
    const log = new PostfixLog();
    log.submitHourly();
    const diagnosis = await diagnose(log);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-identified");

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toMatch(/^Not applicable/);
    expect(text(diagnosis)).toContain("[-] Cause found: Not applicable");
  });

  test("check commands name the server's domain and IP", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const diagnosis = await diagnose(log);
    const detail = (id: string): string =>
      diagnosis.readiness.items.find((entry) => entry.id === id)?.detail ?? "";

    expect(detail("spf-dkim-dmarc")).toContain("`delist check example.com`");
    expect(detail("ptr")).toContain("`delist check example.com --ip 203.0.113.10`");
    expect(detail("blocklists")).toContain("`delist blocklists 203.0.113.10 example.com`");
    expect(text(diagnosis)).not.toContain("DOMAIN");
  });

  test("check commands leave out recipients' domains", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    log.raw(
      T0 + HOUR / 2,
      "2024-03-04T00:30:00+00:00 mail postfix/qmgr[7]: 00000FFFFF: from=<someone@example.org>, size=900, nrcpt=1 (queue active)",
    );
    log.raw(
      T0 + HOUR / 2 + 1000,
      "2024-03-04T00:30:01+00:00 mail postfix/smtp[8]: 00000FFFFF: to=<friend99@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    );
    const diagnosis = await diagnose(log);
    const detail = diagnosis.readiness.items.find((entry) => entry.id === "spf-dkim-dmarc")?.detail;

    // A sender with no account or local program here is relayed mail, not the server's own.
    expect(diagnosis.server.sendingDomains).toEqual(["example.com"]);
    expect(detail).toContain("`delist check example.com`");
  });

  test("open items say what is wrong", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    const diagnosis = await diagnose(log);

    expect(diagnosis.readiness.summary).toContain(
      "Still open: the cause is not found and Gmail still defers mail.",
    );
    expect(diagnosis.readiness.summary).not.toContain("have stopped");
  });

  test("burst readiness and fix wording", async () => {
    const log = new PostfixLog();
    log.submitHourly();
    const attackers = ["203.0.113.71", "203.0.113.72", "203.0.113.73"];
    for (let i = 0; i < 12; i++) {
      log.submit({
        time: T0 + 24 * HOUR + i * 300_000,
        account: "bob@example.com",
        clientIp: attackers[i % 3] ?? "",
        recipients: Array.from({ length: 30 }, (_, n) => ({
          address: `target${i}-${n}@gmail.com`,
          outcome: GMAIL_RATE_LIMIT,
        })),
      });
    }
    // A line without a delivery, ten hours after the last abusive submission (T0 + 24:55).
    log.raw(
      T0 + 34 * HOUR + 55 * 60_000,
      "2024-03-05T10:55:00+00:00 mail postfix/anvil[9]: statistics: max connection rate 1/60s for (smtp:192.0.2.9) at Mar  5 10:50:00",
    );
    const diagnosis = await diagnose(log);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
    expect(spike?.fix.join(" ")).toContain("in its evidence");
    expect(spike?.fix.join(" ")).not.toContain("below");
    expect(diagnosis.input.lastTime).toBe("2024-03-05T10:55:00Z");
    expect(item?.detail).toContain(
      "10 hours before the last line of the log (2024-03-05T10:55:00Z)",
    );
  });
});

describe("evidence values", () => {
  test.each([
    [0, "0 %"],
    [0.0011, "0.11 %"],
    [0.00004, "< 0.01 %"],
    [0.025, "2.5 %"],
    [0.9, "90 %"],
  ])("share %f reads %s", (fraction, expected) => {
    expect(percent(fraction)).toBe(expected);
  });

  test("top addresses count all others", () => {
    const topAddresses = Array.from({ length: 10 }, (_, index) => ({
      ip: `192.0.2.${100 + index}`,
      count: 40,
    }));
    const lines = evidenceLines({ failureAddresses: 40, topAddresses });
    const text = lines.find(([label]) => label === "Top addresses")?.[1] ?? "";

    expect(text).toContain("192.0.2.107 (40), and 32 more");
    expect(text).not.toContain("192.0.2.108");
  });

  test("estimated address total says about", () => {
    const topAddresses = Array.from({ length: 10 }, (_, index) => ({
      ip: `192.0.2.${index + 1}`,
      count: 5,
    }));
    const lines = evidenceLines({
      failureAddresses: 12_000,
      failureAddressesExact: false,
      topAddresses,
    });
    const text = lines.find(([label]) => label === "Top addresses")?.[1] ?? "";

    expect(text).toMatch(/, and about 11,992 more$/);
  });

  test("other lists count their own rest", () => {
    const accountsTried = Array.from({ length: 10 }, (_, index) => ({
      account: `user${index}@example.com`,
      count: 3,
    }));
    const lines = evidenceLines({ failureAddresses: 40, accountsTried });
    const text = lines.find(([label]) => label === "Accounts tried")?.[1] ?? "";

    expect(text).toMatch(/, and 2 more$/);
  });

  test("accounts tried count all others", () => {
    const accountsTried = Array.from({ length: 10 }, (_, index) => ({
      account: `user${index}`,
      count: 3,
    }));
    const lines = evidenceLines({
      failureAccounts: 4324,
      failureAccountsExact: true,
      accountsTried,
    });
    const text = lines.find(([label]) => label === "Accounts tried")?.[1] ?? "";

    expect(text).toMatch(/, and 4,316 more$/);
    expect(lines).toContainEqual(["Distinct accounts tried", "4,324"]);
  });

  test("estimated account total says about", () => {
    const accountsTried = [{ account: "admin", count: 9 }];
    const lines = evidenceLines({
      failureAccounts: 52_000,
      failureAccountsExact: false,
      accountsTried,
    });

    expect(lines).toContainEqual(["Accounts tried", "admin (9), and about 51,999 more"]);
    expect(lines).toContainEqual(["Distinct accounts tried (estimate)", "52,000"]);
  });

  test("small complaint rate keeps its digits", () => {
    expect(evidenceLines({ count: 3, attempted: 2700, rate: 0.0011 })).toContainEqual([
      "Share of attempts",
      "0.11 %",
    ]);
  });
});

describe("verdict headline with unread inputs", () => {
  test("blocked keeps its status word", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_UNSOLICITED });
    const blocked = await diagnose(log);
    const diagnosis: Diagnosis = {
      ...blocked,
      verdict: { ...blocked.verdict, inputsNotRead: ["a.txt", "b.txt"] },
    };

    expect(blocked.verdict.status).toBe("blocked");
    expect(text(diagnosis)).toContain("\nVerdict: BLOCKED FOR THE LOGS READ, 2 INPUTS NOT READ\n");
    expect(renderDiagnosisMarkdown(diagnosis)).toContain(
      "**Verdict: blocked for the logs read, 2 inputs not read.**",
    );
  });
});
