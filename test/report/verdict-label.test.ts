import { describe, expect, test } from "vitest";
import type { HeldMailReport } from "../../src/diagnose/held-mail.js";
import type { Diagnosis, VerdictStatus } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]:25";
const GMAIL_TIMEOUT = "connect to gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out";
const FILTER_DOWN = "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused";

/** Number of messages to Gmail in the failing log, 6 minutes apart, so that they span 24 hours. */
const GMAIL_MESSAGES = 240;

function stamp(minute: number): string {
  return new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
}

/**
 * Writes the lines of one message that alice@example.com submitted at `minute` to `to`, and of
 * its delivery attempt, whose fields from `relay=` on are `result`.
 */
function messageLines(index: number, minute: number, to: string, result: string): string[] {
  const id = `5C1D${(0x1000 + index).toString(16).toUpperCase()}A0`;
  const at = `${stamp(minute)} mail`;
  return [
    `${at} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
    `${at} postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
    `${at} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
    `${at} postfix/smtp[903]: ${id}: to=<${to}>, ${result}`,
  ];
}

/** Writes messages to Gmail over 24 hours, of which every tenth fails to connect and is not retried. */
function failingGmailLines(): string[] {
  return Array.from({ length: GMAIL_MESSAGES }, (_, index) => {
    const result =
      index % 10 === 9
        ? `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${GMAIL_TIMEOUT})`
        : `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`;
    return messageLines(index, index * 6, `user${index}@gmail.com`, result);
  }).flat();
}

/** Writes messages that this server defers itself, because its content filter refuses connections. */
function heldLines(): string[] {
  return Array.from({ length: 14 }, (_, index) =>
    messageLines(
      index,
      index * 10,
      `friend${index}@gmail.com`,
      `relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (${FILTER_DOWN})`,
    ),
  ).flat();
}

/** Returns the reject and free-space warning that Postfix smtpd logs while the queue disk is full. */
function queueFullLines(minute: number): string[] {
  const at = `${stamp(minute)} mail postfix/smtpd[4795]:`;
  return [
    `${at} NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<mx.example.net>`,
    `${at} warning: not enough free space in mail queue: 101089280 bytes < 1.5*message size limit`,
  ];
}

function logText(lines: readonly string[]): string {
  return `${lines.join("\n")}\n`;
}

/** Returns the failing log, with the queue disk full in its last ten minutes. */
function failingAndFullLog(): string {
  const last = (GMAIL_MESSAGES - 1) * 6;
  return logText([...failingGmailLines(), ...queueFullLines(last - 10), ...queueFullLines(last)]);
}

/** Returns the label of the text report's `Verdict:` line, in the report's capitals. */
function textLabel(diagnosis: Diagnosis): string {
  const report = renderDiagnosisText(diagnosis, painter(false));
  return /^Verdict: (.*)$/m.exec(report)?.[1] ?? "(no verdict line)";
}

/** Returns the label of the Markdown report's bold `Verdict:` line. */
function markdownLabel(diagnosis: Diagnosis): string {
  const report = renderDiagnosisMarkdown(diagnosis);
  return /^\*\*Verdict: (.*?)\.\*\*/m.exec(report)?.[1] ?? "(no verdict line)";
}

/** How the queue disk shows in a state: not at all, full, or a few rejects that are no fault. */
type QueueState = "none" | "full" | "was full" | "spool full" | "rejects only";

/** One combination of the states that pick the verdict label. */
interface LabelState {
  readonly status: VerdictStatus;
  readonly held: boolean;
  readonly failing: boolean;
  readonly suspended: boolean;
  readonly queue: QueueState;
}

const STATUSES: readonly VerdictStatus[] = [
  "ok",
  "no-outbound-delivery",
  "rate-limited",
  "unreachable",
  "blocked",
];
const QUEUE_STATES: readonly QueueState[] = [
  "none",
  "full",
  "was full",
  "spool full",
  "rejects only",
];

/** Returns every combination of the states. */
function allStates(): LabelState[] {
  return STATUSES.flatMap((status) =>
    [false, true].flatMap((held) =>
      [false, true].flatMap((failing) =>
        [false, true].flatMap((suspended) =>
          QUEUE_STATES.map((queue) => ({ status, held, failing, suspended, queue })),
        ),
      ),
    ),
  );
}

/**
 * Returns the label that a state must get. A status that names a block, outage or rate limit
 * comes first, then held mail, no outbound delivery, failing connections, suspended delivery and
 * a full queue disk.
 */
function expectedLabel(state: LabelState): string {
  if (state.status !== "ok" && state.status !== "no-outbound-delivery") return state.status;
  if (state.held) return "mail held by this server";
  if (state.status === "no-outbound-delivery") return "no outbound delivery";
  if (state.failing) return "not blocked, connections failing";
  if (state.suspended) return "not blocked, delivery suspended";
  if (state.queue === "full") return "not blocked, queue disk full";
  if (state.queue === "was full") return "not blocked, queue disk was full";
  if (state.queue === "spool full") return "not blocked, spool disk full";
  return "ok";
}

/**
 * Sets the states of `base`, a diagnosis of the failing and full log, on its Gmail row, its
 * verdict and its queue disk report. `heldMail` comes from a diagnosis of `heldLines`.
 */
function withState(base: Diagnosis, heldMail: HeldMailReport, state: LabelState): Diagnosis {
  const gmail = base.providers.gmail;
  const queueSpace = base.queueSpace;
  if (gmail === undefined || queueSpace === null)
    throw new Error("the failing log has no Gmail row or queue disk report");
  const queue = {
    none: null,
    full: { ...queueSpace, ongoing: true },
    "was full": { ...queueSpace, ongoing: false },
    "spool full": { ...queueSpace, mta: "exim" as const, ongoing: true },
    "rejects only": { ...queueSpace, confirmed: false },
  }[state.queue];
  return {
    ...base,
    verdict: { ...base.verdict, status: state.status, heldByServer: state.held ? heldMail : null },
    providers: {
      ...base.providers,
      gmail: {
        ...gmail,
        connectionsFailing: state.failing,
        sent: state.suspended ? 0 : gmail.sent,
        suspendedDeferrals: state.suspended ? 4 : 0,
      },
    },
    queueSpace: queue,
  };
}

describe("verdict label", () => {
  test("failing connections beside full queue disk", async () => {
    const diagnosis = await diagnoseText(failingAndFullLog());

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.gmail?.connectionsFailing).toBe(true);
    expect(diagnosis.queueSpace?.confirmed).toBe(true);
    expect(diagnosis.queueSpace?.ongoing).toBe(true);
    expect(textLabel(diagnosis)).toBe("NOT BLOCKED, CONNECTIONS FAILING");
    expect(markdownLabel(diagnosis)).toBe("not blocked, connections failing");
  });

  test("text and Markdown agree in every state", async () => {
    const base = await diagnoseText(failingAndFullLog());
    const heldMail = (await diagnoseText(logText(heldLines()))).verdict.heldByServer;
    if (heldMail === null) throw new Error("the held-mail log shows no held mail");

    const states = allStates();
    expect(states).toHaveLength(200);
    for (const state of states) {
      const diagnosis = withState(base, heldMail, state);
      const name = JSON.stringify(state);
      const expected = expectedLabel(state);

      expect(markdownLabel(diagnosis), name).toBe(expected);
      expect(textLabel(diagnosis), name).toBe(expected.toUpperCase());
    }
  });

  test("text colours follow the state", async () => {
    const base = await diagnoseText(failingAndFullLog());
    const heldMail = (await diagnoseText(logText(heldLines()))).verdict.heldByServer;
    if (heldMail === null) throw new Error("the held-mail log shows no held mail");
    const bold = (words: string): string => `\u001b[1m${words}\u001b[22m`;
    const colour = (code: number, words: string): string =>
      `\u001b[${code}m${bold(words)}\u001b[39m`;
    const quiet: LabelState = {
      status: "ok",
      held: false,
      failing: false,
      suspended: false,
      queue: "none",
    };

    for (const [state, label] of [
      [quiet, colour(32, "OK")],
      [{ ...quiet, status: "blocked" }, colour(31, "BLOCKED")],
      [{ ...quiet, status: "rate-limited" }, colour(33, "RATE-LIMITED")],
      [{ ...quiet, held: true }, colour(31, "MAIL HELD BY THIS SERVER")],
      [{ ...quiet, status: "no-outbound-delivery" }, bold("NO OUTBOUND DELIVERY")],
      [{ ...quiet, failing: true }, colour(33, "NOT BLOCKED, CONNECTIONS FAILING")],
      [{ ...quiet, suspended: true }, colour(33, "NOT BLOCKED, DELIVERY SUSPENDED")],
      [{ ...quiet, queue: "full" }, colour(31, "NOT BLOCKED, QUEUE DISK FULL")],
    ] as const) {
      const report = renderDiagnosisText(withState(base, heldMail, state), painter(true));

      expect(report, label).toContain(`Verdict: ${label}`);
    }
  });
});
