import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { blockRequirements } from "../../src/diagnose/requirement-readiness.js";
import type { Diagnosis, ProviderReason } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles, diagnoseText } from "../helpers/diagnose-text.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.30]:25";
const YAHOO_MX = "mta5.am0.yahoodns.net[192.0.2.50]:25";
const OTHER_MX = "mx.example.net[192.0.2.20]:25";
const OUTLOOK_MX = "outlook-com.olc.protection.outlook.com[192.0.2.41]:25";
const GMAIL_NO_TLS =
  "421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. 421 4.7.29 x1si2 - gsmtp";
const GMAIL_UNSOLICITED =
  "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. 421 4.7.28 x1si3 - gsmtp";
const OUTLOOK_REPUTATION =
  "451 4.7.650 The mail server [192.0.2.8] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)";
const YAHOO_TSS04 =
  "421 4.7.0 [TSS04] Messages from 192.0.2.8 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

const START = Date.UTC(2026, 2, 11);
const MINUTE_MS = 60_000;

/** One delivery attempt: minutes after `START`, recipient, receiving host and reply. */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  readonly relay: string;
  /** The receiver's reply, or null for `250 2.0.0 Ok`. */
  readonly reply: string | null;
}

/** Returns the ISO stamp and host of a Postfix line `minute` minutes after `START`. */
function stamp(minute: number): string {
  return `${new Date(START + minute * MINUTE_MS).toISOString().replace(".000Z", "+00:00")} mail`;
}

/** Writes a Postfix log that sends each attempt as a message of its own. */
function postfixLog(attempts: readonly Attempt[]): string {
  const lines: string[] = [];
  [...attempts]
    .sort((a, b) => a.minute - b.minute)
    .forEach((attempt, index) => {
      const id = `${(0x20000000 + index).toString(16).toUpperCase()}B`;
      const host = attempt.relay.replace(/:25$/, "");
      const status =
        attempt.reply === null
          ? "dsn=2.0.0, status=sent (250 2.0.0 Ok)"
          : `dsn=${attempt.reply.slice(4, 10).trim()}, status=deferred (host ${host} said: ${attempt.reply} (in reply to RCPT TO command))`;
      lines.push(
        `${stamp(attempt.minute)} postfix/qmgr[102]: ${id}: from=<news@example.com>, size=1000, nrcpt=1 (queue active)`,
        `${stamp(attempt.minute)} postfix/smtp[103]: ${id}: to=<${attempt.to}>, relay=${attempt.relay}, delay=1, delays=0/0/0/1, ${status}`,
      );
    });
  return lines.join("\n") + "\n";
}

/** Builds `count` attempts to `domain`, one every 5 minutes from `fromMinute` on. */
function attempts(
  fromMinute: number,
  count: number,
  domain: string,
  relay: string,
  reply: string | null,
): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: fromMinute + index * 5,
    to: `reader${fromMinute}-${index}@${domain}`,
    relay,
    reply,
  }));
}

/**
 * Builds a log of 10 hours: steady mail to example.net throughout, Gmail accepting mail for
 * the first 4 hours, then `replies` to gmail.com and `extra` attempts until the end.
 */
function deferredLog(replies: readonly Attempt[], extra: readonly Attempt[] = []): string {
  return postfixLog([
    ...attempts(0, 120, "example.net", OTHER_MX, null),
    ...attempts(1, 48, "gmail.com", GMAIL_MX, null),
    ...replies,
    ...extra,
  ]);
}

/** The summary of a diagnosis whose blocks all name TLS, as delist prints it. */
const TLS_SUMMARY =
  "No removal request is needed: the deferrals end once outgoing TLS works. Retry the queue after the fix.";

describe("readiness of TLS deferrals", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(
      deferredLog(attempts(242, 70, "gmail.com", GMAIL_MX, GMAIL_NO_TLS)),
    );
  });

  test("Gmail defers for TLS", () => {
    expect(diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(diagnosis.findings.map((finding) => finding.id)).toContain("tls-required");
  });

  test("lists no removal form", () => {
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.ready).toBe(false);
  });

  test("summary says to retry after the fix", () => {
    expect(diagnosis.readiness.summary).toBe(TLS_SUMMARY);
  });

  test("text lists no removal command", async () => {
    const log = deferredLog(attempts(242, 70, "gmail.com", GMAIL_MX, GMAIL_NO_TLS));
    const run = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(log)]);

    expect(run.stdout).toContain("No removal request is needed: the deferrals end once");
    expect(run.stdout).not.toContain("delist removal request");
    expect(run.stdout).not.toContain("gmail_bulk_sender_escalation");
  });
});

describe("readiness of TLS and reputation deferrals", () => {
  test("Gmail 4.7.28 keeps the form", async () => {
    const diagnosis = await diagnoseText(
      deferredLog([
        ...attempts(242, 35, "gmail.com", GMAIL_MX, GMAIL_NO_TLS),
        ...attempts(244, 35, "gmail.com", GMAIL_MX, GMAIL_UNSOLICITED),
      ]),
    );
    const providers = diagnosis.readiness.removalForms.map((form) => form.provider);

    expect(providers).toEqual(["gmail"]);
    expect(diagnosis.readiness.summary).not.toContain("No removal request is needed");
    expect(diagnosis.readiness.summary).not.toContain("need no removal request");
  });

  test("text keeps the removal command", async () => {
    const log = deferredLog([
      ...attempts(242, 35, "gmail.com", GMAIL_MX, GMAIL_NO_TLS),
      ...attempts(244, 35, "gmail.com", GMAIL_MX, GMAIL_UNSOLICITED),
    ]);
    const run = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(log)]);

    expect(run.stdout).toContain("delist removal request --provider gmail");
  });

  test("Yahoo keeps its form beside Gmail TLS", async () => {
    const diagnosis = await diagnoseText(
      deferredLog(attempts(242, 70, "gmail.com", GMAIL_MX, GMAIL_NO_TLS), [
        ...attempts(3, 48, "yahoo.com", YAHOO_MX, null),
        ...attempts(243, 70, "yahoo.com", YAHOO_MX, YAHOO_TSS04),
      ]),
    );
    const providers = diagnosis.readiness.removalForms.map((form) => form.provider);

    expect(diagnosis.providers.yahoo?.status).toBe("rate-limited");
    expect(providers).toEqual(["yahoo"]);
    expect(diagnosis.readiness.summary).toContain(
      "Gmail needs no removal request, because the deferrals end once outgoing TLS works.",
    );
  });
});

describe("TLS beside an Outlook.com rate limit", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(
      deferredLog(attempts(242, 70, "gmail.com", GMAIL_MX, GMAIL_NO_TLS), [
        ...attempts(3, 48, "outlook.com", OUTLOOK_MX, null),
        ...attempts(243, 70, "outlook.com", OUTLOOK_MX, OUTLOOK_REPUTATION),
      ]),
    );
  });

  /** Returns the fix steps of the `rate-limited` finding. */
  function rateLimitedFixes(): readonly string[] {
    return diagnosis.findings.find((finding) => finding.id === "rate-limited")?.fix ?? [];
  }

  test("both providers rate-limit", () => {
    expect(diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(diagnosis.providers.outlook?.status).toBe("rate-limited");
  });

  test("rate limit sentence names Outlook.com", () => {
    expect(diagnosis.readiness.summary).toContain(
      "No removal request is needed yet, because Outlook.com defers mail only with temporary rate limits,",
    );
    expect(diagnosis.readiness.summary).not.toContain("Gmail and Outlook.com");
  });

  test("TLS sentence names Gmail", () => {
    expect(diagnosis.readiness.summary).toContain(
      "Gmail needs no removal request, because the deferrals end once outgoing TLS works.",
    );
  });

  test("reputation fix names Outlook.com", () => {
    const fixes = rateLimitedFixes();

    expect(fixes[0]).toBe(
      "Find and stop the cause of Outlook.com's deferrals first, because retries alone do not lift a reputation limit.",
    );
    expect(fixes[1]).toMatch(/^Slow down delivery to Outlook\.com: /);
    expect(fixes[3]).toBe("Watch Microsoft SNDS until the deferrals stop.");
  });

  test("TLS fix names Gmail", () => {
    expect(rateLimitedFixes()).toContain(
      "Gmail's deferrals name one requirement (TLS): fix it as its own finding says. The queue then retries that mail by itself.",
    );
  });

  test("no step calls TLS a reputation limit", () => {
    for (const step of rateLimitedFixes()) {
      if (step.includes("reputation limit")) expect(step).not.toContain("Gmail");
    }
  });
});

describe("block requirements", () => {
  /** Builds a block reason of `category` with the fields the function reads. */
  function reason(category: ProviderReason["category"], blockSignal = true): ProviderReason {
    return {
      ruleId: `test.${category}`,
      category,
      permanent: false,
      summary: "",
      count: 1,
      sessionCount: 0,
      first: "",
      last: "",
      codes: {},
      blockSignal,
    };
  }

  test("TLS and reverse DNS", () => {
    const requirements = blockRequirements({ reasons: [reason("tls"), reason("reverse-dns")] });

    expect(requirements).toEqual([
      "outgoing TLS works",
      "the PTR record and its forward lookup match the sending IP",
    ]);
  });

  test("authentication", () => {
    expect(blockRequirements({ reasons: [reason("authentication")] })).toEqual([
      "SPF, DKIM and DMARC pass",
    ]);
  });

  test("reputation reply among them", () => {
    expect(blockRequirements({ reasons: [reason("tls"), reason("reputation")] })).toEqual([]);
  });

  test("replies that are no block", () => {
    expect(blockRequirements({ reasons: [reason("tls"), reason("rate-limit", false)] })).toEqual([
      "outgoing TLS works",
    ]);
    expect(blockRequirements({ reasons: [reason("recipient", false)] })).toEqual([]);
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("scenario 10: TLS required", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    const path = join(corpusPath(root ?? "", "logs", "scenarios"), "10-tls-required-postfix.log");
    diagnosis = await diagnoseFiles([path]);
  });

  test("Gmail and Workspace defer for TLS", () => {
    expect(diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(diagnosis.providers["google-workspace"]?.status).toBe("rate-limited");
  });

  test("lists no removal form", () => {
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.ready).toBe(false);
  });

  test("summary names TLS and the retry", () => {
    // The "other receivers" row rejects with 530 5.7.0 as well, so the summary names both.
    expect(diagnosis.readiness.summary).toBe(
      "No removal request is needed: the rejections and deferrals end once outgoing TLS works. Retry the queue after the fix. Rejected mail bounced and is not in the queue, so its senders must send it again.",
    );
  });
});
