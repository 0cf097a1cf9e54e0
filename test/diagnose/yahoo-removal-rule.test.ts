import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const TEMPORARY_RULE =
  "Yahoo's deferrals usually end by themselves once volume and complaints drop; use the form if they last more than a few days.";
const PERMANENT_RULE =
  "Yahoo's permanent blocks do not end by themselves, so send the form once the cause is fixed, with the exact reply text.";

const TSS04 = {
  dsn: "4.7.0",
  status: "deferred",
  reply:
    "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints",
};

const TSS09 = {
  dsn: "5.7.2",
  status: "bounced",
  reply:
    "553 5.7.2 [TSS09] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed.",
};

/**
 * Builds a Postfix log of 24 messages to yahoo.com, one every 10 minutes from 2026-03-10
 * 08:00 UTC. From the 13th message on, Yahoo replies to each one with `later`, and from the
 * 7th with `earlier` when given.
 */
function yahooLog(later: typeof TSS04, earlier?: typeof TSS04): string {
  const host = "mta5.am0.yahoodns.net[192.0.2.61]";
  const lines: string[] = [];
  for (let index = 0; index < 24; index++) {
    const stamp = new Date(Date.UTC(2026, 2, 10, 8, index * 10))
      .toISOString()
      .replace(".000Z", "+00:00");
    const id = `6D${String(index).padStart(8, "0")}`;
    const start = `${stamp} mx1 postfix/smtp[901]: ${id}: to=<u${index}@yahoo.com>, relay=${host}:25, delay=1, delays=0.1/0/0.4/0.5`;
    const reply = replyTo(index, later, earlier);
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
      reply === undefined
        ? `${start}, dsn=2.0.0, status=sent (250 ok dirdel)`
        : `${start}, dsn=${reply.dsn}, status=${reply.status} (host ${host} said: ${reply.reply} (in reply to MAIL FROM command))`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Returns the reply to message `index` of `yahooLog`, or undefined when Yahoo accepts it. */
function replyTo(
  index: number,
  later: typeof TSS04,
  earlier?: typeof TSS04,
): typeof TSS04 | undefined {
  if (index >= 12) return later;
  if (index >= 6) return earlier;
  return undefined;
}

function yahooRule(diagnosis: Diagnosis): string | undefined {
  return diagnosis.readiness.removalForms.find((form) => form.provider === "yahoo")?.rule;
}

describe("Yahoo removal form rule", () => {
  test("TSS04 deferrals keep the wait", async () => {
    const diagnosis = await diagnoseText(yahooLog(TSS04));

    expect(diagnosis.providers.yahoo?.status).toBe("rate-limited");
    expect(yahooRule(diagnosis)).toBe(TEMPORARY_RULE);
  });

  test("TSS09 block gets the form", async () => {
    const diagnosis = await diagnoseText(yahooLog(TSS09));

    expect(diagnosis.providers.yahoo?.status).toBe("blocked");
    expect(yahooRule(diagnosis)).toBe(PERMANENT_RULE);
  });

  test("TSS04 then TSS09 gets the form", async () => {
    const diagnosis = await diagnoseText(yahooLog(TSS09, TSS04));

    expect(yahooRule(diagnosis)).toBe(PERMANENT_RULE);
  });
});
