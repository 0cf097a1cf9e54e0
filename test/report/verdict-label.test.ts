import { describe, expect, test } from "vitest";
import type { HeldMailReport } from "../../src/diagnose/held-mail.js";
import type { Diagnosis, VerdictStatus } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

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

/**
 * How the queue disk shows in a state: not at all, full, a few rejects that are no fault, or
 * lost local mail with or without a full disk.
 */
type QueueState =
  "none" | "full" | "was full" | "spool full" | "rejects only" | "lost" | "full and lost";

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
  "lost",
  "full and lost",
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
 * the queue disk or lost local mail. The last two also follow "no outbound delivery".
 */
function expectedLabel(state: LabelState): string {
  const queue = {
    none: null,
    full: "queue disk full",
    "was full": "queue disk was full",
    "spool full": "spool disk full",
    "rejects only": null,
    lost: "local mail lost",
    "full and lost": "queue disk full, local mail lost",
  }[state.queue];
  if (state.status !== "ok" && state.status !== "no-outbound-delivery") {
    return queue === null ? state.status : `${state.status}, ${queue}`;
  }
  if (state.held) return "mail held by this server";
  if (state.status === "no-outbound-delivery") {
    return queue === null ? "no outbound delivery" : `no outbound delivery, ${queue}`;
  }
  if (state.failing) return "not blocked, connections failing";
  if (state.suspended) return "not blocked, delivery suspended";
  return queue === null ? "ok" : `not blocked, ${queue}`;
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
    lost: { ...queueSpace, confirmed: false, lostSubmissions: 1 },
    "full and lost": { ...queueSpace, ongoing: true, lostSubmissions: 2 },
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
    expect(states).toHaveLength(280);
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
      [{ ...quiet, status: "blocked", queue: "lost" }, colour(31, "BLOCKED, LOCAL MAIL LOST")],
      [{ ...quiet, held: true }, colour(31, "MAIL HELD BY THIS SERVER")],
      [{ ...quiet, status: "no-outbound-delivery" }, bold("NO OUTBOUND DELIVERY")],
      [{ ...quiet, failing: true }, colour(33, "NOT BLOCKED, CONNECTIONS FAILING")],
      [{ ...quiet, suspended: true }, colour(33, "NOT BLOCKED, DELIVERY SUSPENDED")],
      [{ ...quiet, queue: "full" }, colour(31, "NOT BLOCKED, QUEUE DISK FULL")],
      [{ ...quiet, queue: "lost" }, colour(33, "NOT BLOCKED, LOCAL MAIL LOST")],
      [
        { ...quiet, queue: "full and lost" },
        colour(31, "NOT BLOCKED, QUEUE DISK FULL, LOCAL MAIL LOST"),
      ],
      [
        { ...quiet, status: "no-outbound-delivery", queue: "lost" },
        colour(33, "NO OUTBOUND DELIVERY, LOCAL MAIL LOST"),
      ],
    ] as const) {
      const report = renderDiagnosisText(withState(base, heldMail, state), painter(true));

      expect(report, label).toContain(`Verdict: ${label}`);
    }
  });
});

/** One message to Gmail from each MTA, then a local submission that the MTA could not queue. */
const LOST_MAIL_LOGS = [
  {
    mta: "Postfix",
    delivered: messageLines(
      0,
      10,
      "carol@gmail.com",
      `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    ),
    lost: [
      `${stamp(50)} mail postfix/postdrop[3001]: warning: uid=33: File too large`,
      `${stamp(50)} mail postfix/sendmail[3000]: fatal: www-data(33): queue file write error`,
    ],
  },
  {
    mta: "Exim",
    delivered: [
      "2024-03-04 00:10:00 1rhC4d-000Efg-5b <= alice@example.com H=a.example.com [192.0.2.10] P=esmtp S=1200 id=2@example.com",
      '2024-03-04 00:10:01 1rhC4d-000Efg-5b => carol@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27] C="250 2.0.0 OK 1709511001 y2si456 - gsmtp"',
      "2024-03-04 00:10:01 1rhC4d-000Efg-5b Completed",
    ],
    lost: [
      "2024-03-04 00:50:00 1rhC5e-000Fgh-6c Message abandoned: Spool write error (Disk quota exceeded) while receiving message from shopuser",
    ],
  },
  {
    mta: "Sendmail",
    delivered: [
      "Mar  4 00:10:00 mx1 sm-mta[3220]: 424EF3Ab003220: from=<alice@example.com>, size=2210, class=0, nrcpts=1, msgid=<20240304.2@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
      "Mar  4 00:10:02 mx1 sm-mta[3222]: 424EF3Ab003220: to=<carol@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121210, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=2.0.0, stat=Sent (OK 1709511002 z3si789 - gsmtp)",
    ],
    lost: [
      "Mar  4 00:50:00 mx1 sendmail[3250]: 424EF3Ab003250: SYSERR(shopuser): queueup: cannot create queue temp file ./tf424EF3Ab003250, uid=1004: Disk quota exceeded",
    ],
  },
] as const;

describe("verdict label of lost local mail", () => {
  const temporary = temporaryFiles();
  const validateDiagnosis = schemaValidator("diagnose.schema.json");

  test.each(LOST_MAIL_LOGS)("$mta control log reads OK", async ({ delivered }) => {
    const log = temporary.file(logText(delivered));
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Verdict: OK\n");
  });

  test.each(LOST_MAIL_LOGS)("$mta lost submission names it", async ({ delivered, lost }) => {
    const log = temporary.file(logText([...delivered, ...lost]));
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const markdown = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--year",
      "2024",
      "--format",
      "markdown",
      log,
    ]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "--format", "json", log]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;

    expect(text.code).toBe(1);
    expect(markdown.code).toBe(1);
    expect(json.code).toBe(1);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, LOCAL MAIL LOST\n");
    expect(markdown.stdout).toContain("**Verdict: not blocked, local mail lost.**");
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.queueSpace?.confirmed).toBe(false);
    expect(diagnosis.queueSpace?.lostSubmissions).toBe(1);
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });
});
