import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const YAHOO_DEFERRAL: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
};

/**
 * Diagnoses ten hours of mail to each of `domains`, deferred from the sixth hour with the
 * outcome at the same index.
 */
async function deferredTo(
  domains: readonly string[],
  outcomes: readonly Outcome[],
): Promise<Diagnosis> {
  const log = new PostfixLog();
  for (let hour = 0; hour < 10; hour++) {
    for (const [index, domain] of domains.entries()) {
      const outcome = hour < 5 ? undefined : outcomes[index];
      const address = `friend${hour}@${domain}`;
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [outcome === undefined ? { address } : { address, outcome }],
      });
    }
  }
  return diagnoseText(log.text());
}

/** Returns the last fix step of the `rate-limited` finding. */
function watchStep(diagnosis: Diagnosis): string | undefined {
  return diagnosis.findings.find((finding) => finding.id === "rate-limited")?.fix.at(-1);
}

describe("rate-limited watch step", () => {
  test("Yahoo deferral names Sender Hub", async () => {
    const step = watchStep(await deferredTo(["yahoo.com"], [YAHOO_DEFERRAL]));

    expect(step).toBe("Watch Yahoo Sender Hub until the deferrals stop.");
  });

  test("Gmail deferral names Postmaster Tools", async () => {
    const step = watchStep(await deferredTo(["gmail.com"], [GMAIL_RATE_LIMIT]));

    expect(step).toBe("Watch Gmail Postmaster Tools until the deferrals stop.");
  });

  test("Gmail and Yahoo name both tools", async () => {
    const step = watchStep(
      await deferredTo(["gmail.com", "yahoo.com"], [GMAIL_RATE_LIMIT, YAHOO_DEFERRAL]),
    );

    expect(step).toBe(
      "Watch Gmail Postmaster Tools and Yahoo Sender Hub until the deferrals stop.",
    );
  });

  test("Yahoo finding links Sender Hub", async () => {
    const diagnosis = await deferredTo(["yahoo.com"], [YAHOO_DEFERRAL]);
    const finding = diagnosis.findings.find((candidate) => candidate.id === "rate-limited");

    expect(finding?.references).toContain("https://senders.yahooinc.com/");
  });
});
