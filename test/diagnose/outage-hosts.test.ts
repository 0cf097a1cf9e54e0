import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";
const TIMEOUT = `connect to ${GMAIL_MX}:25: Connection timed out`;
const FILTER_DOWN = "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused";
const RATE_LIMIT =
  "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. a1si2 - gsmtp";

/** The outcome of each message of one host of the fixture. */
type HostRole = "sends" | "times-out" | "holds" | "rate-limited";

/** Returns an RFC 3339 stamp `minute` minutes after 08:00 UTC on 4 March 2024. */
function stamp(minute: number, second = 0): string {
  return new Date(Date.UTC(2024, 2, 4, 8, minute, second)).toISOString().replace(".000Z", "+00:00");
}

/**
 * Writes the lines of `count` messages of `host`, ten minutes apart, each to one recipient.
 * A host that `sends` delivers to example.net, one that `times-out` fails to connect to Gmail,
 * one that `holds` defers the mail at its content filter on 127.0.0.1:10024, and one that is
 * `rate-limited` gets Gmail's 4.7.28 deferral.
 */
function hostLines(host: string, role: HostRole, count: number, offset: number): string[] {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const minute = index * 10;
    const id = `${offset.toString(16).toUpperCase()}${(0x10000 + index).toString(16).toUpperCase()}A`;
    const prefix = (program: string, second = 0): string =>
      `${stamp(minute, second)} ${host} postfix/${program}[${offset + index}]: ${id}:`;
    const to = role === "sends" ? `client${index}@example.net` : `friend${index}@gmail.com`;
    const result =
      role === "sends"
        ? "relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)"
        : role === "times-out"
          ? `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${TIMEOUT})`
          : role === "holds"
            ? `relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (${FILTER_DOWN})`
            : `relay=${GMAIL_MX}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=4.7.28, status=deferred (host ${GMAIL_MX} said: ${RATE_LIMIT} (in reply to end of DATA command))`;
    lines.push(
      `${prefix("submission/smtpd")} client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=user@example.com`,
      `${prefix("qmgr")} from=<user@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${prefix("smtp", 1)} to=<${to}>, ${result}`,
    );
  }
  return lines;
}

/** Diagnoses a Postfix log of the hosts `mx1` and `mx2`, 14 messages each. */
function twoHosts(first: HostRole, second: HostRole): Promise<Diagnosis> {
  const lines = [...hostLines("mx1", first, 14, 0x100), ...hostLines("mx2", second, 14, 0x200)];
  lines.sort((a, b) => a.slice(0, 25).localeCompare(b.slice(0, 25)));
  return diagnoseText(`${lines.join("\n")}\n`);
}

function textReport(diagnosis: Diagnosis): string {
  return renderDiagnosisText(diagnosis, painter(false));
}

describe("outage sentences with two hosts", () => {
  test("name the host that fails", async () => {
    const diagnosis = await twoHosts("sends", "times-out");
    const outage = diagnosis.providers["gmail"]?.outage;

    expect(outage?.failuresByHost).toEqual({ mx2: 14 });
    expect(diagnosis.verdict.summary).toMatch(/^mx2 cannot connect to Gmail since /);
    expect(diagnosis.verdict.summary).not.toContain("this server");
    expect(diagnosis.verdict.summary).not.toContain("This server");
  });

  test("readiness names the host that fails", async () => {
    const diagnosis = await twoHosts("sends", "times-out");
    const ended = diagnosis.readiness.items.find((item) => item.id === "blocks-ended");

    expect(diagnosis.readiness.summary).toContain("mx2 could not connect to Gmail");
    expect(ended?.detail).toContain("mx2's connections to Gmail still failed");
    expect(JSON.stringify(diagnosis.readiness)).not.toMatch(/this server/i);
  });

  test("say these servers when both fail", async () => {
    const diagnosis = await twoHosts("times-out", "times-out");

    expect(diagnosis.providers["gmail"]?.outage?.failuresByHost).toEqual({ mx1: 14, mx2: 14 });
    expect(diagnosis.verdict.summary).toMatch(/^These servers cannot connect to Gmail since /);
    expect(diagnosis.readiness.summary).toContain("These servers could not connect to Gmail");
  });

  test("one host keeps this server", async () => {
    const lines = hostLines("mx1", "times-out", 14, 0x100);
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);

    expect(diagnosis.verdict.summary).toMatch(/^This server cannot connect to Gmail since /);
    expect(textReport(diagnosis)).not.toContain("From mx1");
  });

  test("text report lists the failing host", async () => {
    const text = textReport(await twoHosts("sends", "times-out"));

    expect(text).toContain("                From mx2 (14).\n");
  });

  test("Markdown lists the failing host", async () => {
    const markdown = renderDiagnosisMarkdown(await twoHosts("sends", "times-out"));

    expect(markdown).toContain(" Failed attempts from mx2 (14).");
  });
});

describe("block sentences with two hosts", () => {
  test("unexplained block names the host", async () => {
    const diagnosis = await twoHosts("sends", "rate-limited");
    const block = diagnosis.unexplainedBlocks.find((found) => found.provider === "gmail");

    expect(block?.summary).toBe("No finding in the log explains why Gmail defers mail from mx2.");
  });
});

describe("held-mail sentences with two hosts", () => {
  test("name the host that holds mail", async () => {
    const diagnosis = await twoHosts("sends", "holds");
    const held = diagnosis.verdict.heldByServer;
    const item = diagnosis.readiness.items.find((found) => found.id === "mail-leaves");

    expect(held?.linesByHost).toEqual({ mx2: 14 });
    expect(diagnosis.verdict.summary).toContain("mx2 itself holds outbound mail: 14 deferrals");
    expect(diagnosis.readiness.summary).toMatch(/^Not ready: mx2 itself holds outbound mail/);
    expect(item?.title).toBe("Outbound mail leaves mx2");
    expect(item?.detail).toMatch(/^mx2 itself holds outbound mail/);
    expect(held?.check).toContain("amavis or another filter on mx2");
  });

  test("reports name the host that holds mail", async () => {
    const diagnosis = await twoHosts("sends", "holds");

    expect(textReport(diagnosis)).toContain("Verdict: MAIL HELD BY ONE OF THESE SERVERS\n");
    expect(renderDiagnosisMarkdown(diagnosis)).toContain(
      "**Verdict: mail held by one of these servers.**",
    );
  });

  test("say these servers when both hold mail", async () => {
    const diagnosis = await twoHosts("holds", "holds");
    const item = diagnosis.readiness.items.find((found) => found.id === "mail-leaves");

    expect(diagnosis.verdict.summary).toContain("These servers themselves hold outbound mail");
    expect(item?.title).toBe("Outbound mail leaves these servers");
    expect(textReport(diagnosis)).toContain("No outbound mail left these servers.");
    expect(textReport(diagnosis)).toContain("Verdict: MAIL HELD BY THESE SERVERS\n");
    expect(renderDiagnosisMarkdown(diagnosis)).toContain("mail held by these servers");
  });

  test("one host keeps this server", async () => {
    const lines = hostLines("mx1", "holds", 14, 0x100);
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);
    const item = diagnosis.readiness.items.find((found) => found.id === "mail-leaves");

    expect(diagnosis.verdict.summary).toContain("This server itself holds outbound mail");
    expect(item?.title).toBe("Outbound mail leaves this server");
    expect(textReport(diagnosis)).toContain("No outbound mail left this server.");
    expect(textReport(diagnosis)).toContain("Verdict: MAIL HELD BY THIS SERVER\n");
    expect(diagnosis.verdict.heldByServer?.check).toContain("another filter on this host");
  });
});
