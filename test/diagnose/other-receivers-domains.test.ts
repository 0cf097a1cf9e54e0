import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const PTR_REPLY =
  "550 5.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.10]";

/** One delivery attempt: its minute after T0, recipient, and result. */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  /** Accepted, rejected by the receiving host with a PTR reply, or no connection at all. */
  readonly result: "sent" | "ptr-rejected" | "timed-out";
}

function stampOf(minute: number): string {
  return new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
}

/** Returns the delivery part of a Postfix `smtp` line for `attempt`. */
function deliveryOf(attempt: Attempt): string {
  const domain = attempt.to.slice(attempt.to.indexOf("@") + 1);
  const relay = attempt.to.endsWith("@gmail.com")
    ? "gmail-smtp-in.l.google.com[192.0.2.27]"
    : `mx.${domain}[198.51.100.25]`;
  switch (attempt.result) {
    case "sent":
      return `relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`;
    case "ptr-rejected":
      return `relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, status=bounced (host ${relay} said: ${PTR_REPLY} (in reply to RCPT TO command))`;
    case "timed-out":
      return `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to ${relay}:25: Connection timed out)`;
  }
}

/** Writes a Postfix log in which each attempt is a message of its own. */
function postfixLog(attempts: readonly Attempt[]): string {
  return attempts
    .flatMap((attempt, index) => {
      const id = `5C2D${(0x1000 + index).toString(16).toUpperCase()}A0`;
      const stamp = `${stampOf(attempt.minute)} mail`;
      return [
        `${stamp} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
        `${stamp} postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
        `${stamp} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
        `${stamp} postfix/smtp[903]: ${id}: to=<${attempt.to}>, ${deliveryOf(attempt)}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

/** Returns 18 attempts that Gmail accepts, one every 10 minutes for three hours. */
function gmailDeliveries(): Attempt[] {
  return Array.from({ length: 18 }, (_, index) => ({
    minute: index * 10,
    to: `friend${index}@gmail.com`,
    result: "sent" as const,
  }));
}

/** Returns `count` attempts, one a minute from `start`, spread over `domains` in turn. */
function attemptsTo(
  domains: readonly string[],
  count: number,
  start: number,
  result: Attempt["result"],
): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: start + index,
    to: `user${index}@${domains[index % domains.length] ?? "example.org"}`,
    result,
  }));
}

async function diagnose(attempts: readonly Attempt[]): Promise<Diagnosis> {
  const sorted = [...attempts].sort((a, b) => a.minute - b.minute);
  const diagnosis = await diagnoseText(postfixLog(sorted), { now: T0 + 48 * 60 * MINUTE });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  return diagnosis;
}

function item(diagnosis: Diagnosis, id: string) {
  return diagnosis.readiness.items.find((entry) => entry.id === id);
}

describe("other receivers rejecting mail", () => {
  test("one domain keeps the row ok", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org"], 1, 170, "ptr-rejected"),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    expect(other?.ongoing).toBe(false);
    expect(other?.fewDomains).toHaveLength(1);
    expect(other?.fewDomains[0]?.status).toBe("blocked");
    expect(other?.fewDomains[0]?.domains).toEqual(["example.org"]);
    expect(other?.fewDomains[0]?.servers).toEqual(["mx.example.org"]);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain(
      "The server mx.example.org of example.org rejected 1 attempt",
    );
    expect(diagnosis.verdict.summary).not.toContain("still going on");
    const reverseDns = diagnosis.findings.find((finding) => finding.id === "reverse-dns");
    expect(reverseDns?.role).toBe("observation");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("pass");
    expect(item(diagnosis, "ptr")?.status).toBe("not-checked");
    expect(item(diagnosis, "ptr")?.detail).toContain("fewer than 3 domains");
  });

  test("one domain in the text report", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org"], 1, 170, "ptr-rejected"),
    ]);
    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toMatch(/other receivers +ok/);
    expect(text).toContain("All from example.org (mx.example.org)");
    expect(text).not.toContain("[ ] PTR");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown).toContain("All from example.org (mx.example.org)");
  });

  test("three domains block the row", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 3, 170, "ptr-rejected"),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("blocked");
    expect(other?.ongoing).toBe(true);
    expect(other?.fewDomains).toEqual([]);
    const reverseDns = diagnosis.findings.find((finding) => finding.id === "reverse-dns");
    expect(reverseDns?.role).toBe("cause");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("fail");
    expect(item(diagnosis, "ptr")?.status).toBe("fail");
  });
});

describe("other receivers not answering", () => {
  test("one dead domain is no outage", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org"], 12, 160, "timed-out"),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    expect(other?.ongoing).toBe(false);
    expect(other?.fewDomains[0]?.status).toBe("unreachable");
    expect(other?.fewDomains[0]?.domains).toEqual(["example.org"]);
    expect(other?.fewDomains[0]?.attempts).toBe(12);
    const fix = other?.outage?.fix.join("\n") ?? "";
    expect(fix).toContain("dig +short MX example.org");
    expect(fix).not.toContain("iptables");
    expect(fix).not.toContain("ask yours to open it");
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain("all went to example.org");
    expect(diagnosis.verdict.summary).not.toContain("could not connect to other receivers");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("pass");
    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown).toContain("**example.org unreachable** since");
    expect(markdown).not.toContain("**other receivers unreachable**");
  });

  test("three dead domains are an outage", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("unreachable");
    expect(other?.fewDomains).toEqual([]);
    expect(other?.outage?.fix.join("\n")).toContain("iptables");
    expect(diagnosis.verdict.status).toBe("unreachable");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("fail");
  });

  test("recovered row keeps dead-domain wording", async () => {
    // Deliveries to a third domain after the run make the row recover, but they do not show
    // that the two dead domains accept mail again.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net"], 12, 160, "timed-out"),
      ...attemptsTo(["example.com"], 6, 175, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 175 + index * 8,
      })),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    expect(other?.outage?.recovered).toBe(false);
    expect(other?.fewDomains[0]?.status).toBe("unreachable");
    expect(other?.fewDomains[0]?.domains).toEqual(["example.net", "example.org"]);
    const fix = other?.outage?.fix.join("\n") ?? "";
    expect(fix).toContain("dig +short MX example.net");
    expect(fix).not.toContain("iptables");
    expect(fix).not.toContain("ask yours to open it");
    expect(diagnosis.verdict.summary).toContain("all went to example.net and example.org");
    expect(diagnosis.verdict.summary).not.toContain("could not connect to other receivers");
    expect(diagnosis.verdict.summary).not.toContain("accepted mail again");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toContain("All to example.net, example.org");
    // The sentence may wrap at any space.
    expect(text.replace(/\s+/g, " ")).toContain("A receiver in the row accepted mail or replied");
    expect(text).not.toContain("The provider accepted mail or replied");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown).toContain("**example.net, example.org unreachable** since");
  });

  test("recovered outage of three domains", async () => {
    // The deliveries to example.edu go on for more than two hours after the failures, so the
    // three dead domains no longer count as failing at the end of the log.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
      ...attemptsTo(["example.edu"], 6, 175, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 175 + index * 30,
      })),
    ]);
    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    expect(other?.outage?.recovered).toBe(true);
    expect(other?.outage?.domainsFailingAtEnd).toEqual([]);
    expect(other?.fewDomains).toEqual([]);
    expect(diagnosis.verdict.summary).toContain("and other receivers have accepted mail again");
    expect(diagnosis.verdict.summary).not.toContain("other receivers has");
  });

  test("outage goes on at three failing domains", async () => {
    // Deliveries to example.edu end the run of failures, but the three dead domains failed
    // less than two hours before the end of the log and no later attempt reached them.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
      ...attemptsTo(["example.edu"], 6, 175, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 175 + index * 8,
      })),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("unreachable");
    expect(other?.ongoing).toBe(true);
    expect(other?.fewDomains).toEqual([]);
    expect(other?.outage?.recovered).toBe(false);
    expect(other?.outage?.ongoing).toBe(true);
    expect(other?.outage?.endedAt).toBe("2024-03-04T02:55:00Z");
    expect(other?.outage?.domainsFailingAtEnd).toEqual([
      "example.com",
      "example.net",
      "example.org",
    ]);
    const fix = other?.outage?.fix.join("\n") ?? "";
    expect(fix).toContain("dig +short MX example.com");
    expect(fix).not.toContain("iptables");
    expect(diagnosis.verdict.status).toBe("unreachable");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("fail");
    expect(item(diagnosis, "blocks-ended")?.detail).toContain(
      "to the receivers of example.com, example.net and example.org still failed",
    );

    const goingOn =
      "cannot connect to the receivers of example.com, example.net and example.org since 2024-03-04T02:40:00Z";
    const summary = diagnosis.verdict.summary;
    expect(summary).toContain(goingOn);
    expect(summary).toContain("still going on at the end of the log");
    expect(summary).toContain(
      "other receivers accepted mail or replied while they failed, the latest at 2024-03-04T03:35:00Z",
    );
    expect(summary).toContain("can connect out on port 25");
    expect(summary).not.toContain("points at this server's network");
    expect(summary).not.toContain("accepted mail again");

    const text = renderDiagnosisText(diagnosis, painter(false));
    const flatText = text.replace(/\s+/g, " ");
    expect(text).toMatch(/other receivers +unreachable/);
    expect(flatText).toContain(
      "but example.com, example.net and example.org still fail at the end",
    );
    expect(text).not.toContain("accepted mail again");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);

    const markdown = renderDiagnosisMarkdown(diagnosis);
    const flatMarkdown = markdown.replace(/\s+/g, " ");
    expect(markdown).toContain("| other receivers | unreachable |");
    expect(markdown).toContain("**other receivers unreachable** since");
    expect(flatMarkdown).toContain(
      "but example.com, example.net and example.org still fail at the end",
    );
    expect(markdown).not.toContain("accepted mail again");
  });

  test("two failing domains keep the row ok", async () => {
    // The outage went to three domains, but a later delivery reached example.com, so only two
    // domains still fail at the end, too few to set the row's status.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
      ...attemptsTo(["example.edu"], 6, 175, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 175 + index * 8,
      })),
      { minute: 200, to: "later@example.com", result: "sent" },
    ]);

    const other = diagnosis.providers.other;
    const failing = "but example.net and example.org still fail at the end of the log";
    expect(other?.status).toBe("ok");
    expect(other?.ongoing).toBe(false);
    expect(other?.outage?.recovered).toBe(true);
    expect(other?.outage?.ongoing).toBe(false);
    expect(other?.outage?.domainsFailingAtEnd).toEqual(["example.net", "example.org"]);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain(
      "Other domains of the row have accepted mail since 2024-03-04T02:55:00Z",
    );
    expect(diagnosis.verdict.summary).toContain(failing);
    expect(diagnosis.verdict.summary).not.toContain("accepted mail again");
    const ended = item(diagnosis, "blocks-ended");
    expect(ended?.status).toBe("pass");
    expect(ended?.detail).toContain("Connections to example.net and example.org failed then");
    expect(ended?.detail).toContain("failures at fewer than 3 domains point at those receivers");
    expect(ended?.detail).not.toContain("which makes no outage");

    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toMatch(/other receivers +ok/);
    expect(text.replace(/\s+/g, " ")).toContain(failing);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);

    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown.replace(/\s+/g, " ")).toContain(failing);
    expect(markdown).not.toContain("**other receivers unreachable**");
  });

  test("deliveries to failed domains end outage", async () => {
    // Every dead domain accepts mail again after the run, so none fails at the end, although
    // each failed less than two hours before it.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
      ...attemptsTo(["example.org", "example.net", "example.com"], 6, 175, "sent").map(
        (attempt, index) => ({ ...attempt, minute: 175 + index * 8 }),
      ),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    expect(other?.outage?.recovered).toBe(true);
    expect(other?.outage?.domainsFailingAtEnd).toEqual([]);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain("and other receivers have accepted mail again");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("pass");
    expect(item(diagnosis, "blocks-ended")?.detail).not.toContain("which makes no outage");
  });

  test("reply from a failed domain ends its failure", async () => {
    // The receiver of example.org replies after the run, so it can be reached, and only two
    // domains still fail at the end.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org", "example.net", "example.com"], 12, 160, "timed-out"),
      ...attemptsTo(["example.edu"], 6, 175, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 175 + index * 8,
      })),
      { minute: 200, to: "later@example.org", result: "ptr-rejected" },
    ]);

    const other = diagnosis.providers.other;
    expect(other?.outage?.domainsFailingAtEnd).toEqual(["example.com", "example.net"]);
    expect(other?.outage?.recovered).toBe(true);
    expect(other?.status).toBe("ok");
  });

  test("few failures pass without contradiction", async () => {
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(["example.org"], 3, 165, "timed-out"),
    ]);
    const ended = item(diagnosis, "blocks-ended");
    expect(ended?.status).toBe("pass");
    expect(ended?.detail).not.toContain("still failed");
    expect(ended?.detail).toContain("Connections to example.org failed then");
    expect(ended?.detail).toContain("point at those receivers, not at this server");
    expect(diagnosis.providers.other?.failedDomainsAtEnd).toEqual(["example.org"]);
  });
});

/**
 * Returns a failed attempt to a `dead` domain every `step` minutes from `start` to `end`, and
 * beside each but the last an accepted one to a `live` domain. Each list's domains take turns.
 */
function interleaved(
  dead: readonly string[],
  live: readonly string[],
  start: number,
  end: number,
  step: number,
): Attempt[] {
  const attempts: Attempt[] = [];
  for (let minute = start, index = 0; minute <= end; minute += step, index += 1) {
    const deadDomain = dead[index % dead.length] ?? "example.org";
    attempts.push({ minute, to: `user${index}@${deadDomain}`, result: "timed-out" });
    const liveDomain = live[index % live.length];
    if (liveDomain !== undefined && minute + step <= end) {
      attempts.push({ minute, to: `friend${index}@${liveDomain}`, result: "sent" });
    }
  }
  return attempts;
}

const DEAD = ["dead0.example.org", "dead1.example.org", "dead2.example.org"];
const LIVE = ["ok0.example.net", "ok1.example.net"];

describe("other receivers failing between deliveries", () => {
  test("trailing run keeps dead-domain verdict", async () => {
    // The dead domains fail all along while the live ones accept mail, and the last 12
    // failures come in a row only because the live traffic stops.
    const diagnosis = await diagnose([
      ...interleaved(DEAD, LIVE, 0, 300, 2),
      ...attemptsTo(DEAD, 12, 301, "timed-out"),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("unreachable");
    expect(other?.outage?.endedAt).toBeNull();
    expect(other?.outage?.domainsFailingAtEnd).toEqual(DEAD);
    expect(other?.outage?.otherReceiversReachedAt).toBe("2024-03-04T04:58:00Z");
    expect(other?.outage?.failuresAtEnd?.first).toBe("2024-03-04T00:00:00Z");
    expect(other?.outage?.failuresAtEnd?.failures).toBe(151 + 12);
    expect(other?.failedDomainsAtEnd).toHaveLength(3);
    const fix = other?.outage?.fix.join("\n") ?? "";
    expect(fix).toContain("dig +short MX dead0.example.org");
    expect(fix).not.toContain("iptables");

    const summary = diagnosis.verdict.summary;
    expect(summary).toContain("cannot connect to the receivers of dead0.example.org");
    expect(summary).toContain("163 attempts failed");
    expect(summary).toContain("can connect out on port 25");
    expect(summary).not.toContain("blocking outbound port 25");
  });

  test("interleaved failures without a run", async () => {
    // A delivery to a live domain follows each failure, so no run of failures makes an outage,
    // but the dead domains fail up to the end of the log.
    const diagnosis = await diagnose(interleaved(DEAD, LIVE, 0, 300, 2));

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("unreachable");
    expect(other?.outage?.ongoing).toBe(true);
    expect(other?.outage?.recovered).toBe(false);
    expect(other?.outage?.domainsFailingAtEnd).toEqual(DEAD);
    expect(other?.outage?.failuresAtEnd?.failures).toBe(151);
    expect(other?.outage?.first.time).toBe("2024-03-04T00:00:00Z");
    expect(other?.outage?.otherReceiversReachedAt).toBe("2024-03-04T04:58:00Z");
    expect(other?.outage?.fix.join("\n")).not.toContain("iptables");
    expect(diagnosis.verdict.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).toContain(
      "cannot connect to the receivers of dead0.example.org",
    );
    expect(diagnosis.verdict.summary).toContain("can connect out on port 25");
    expect(diagnosis.verdict.summary).not.toContain("blocking outbound port 25");
    expect(item(diagnosis, "blocks-ended")?.status).toBe("fail");

    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toMatch(/other receivers +unreachable/);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  test("interleaved outage counts failures by host", async () => {
    // A second server sends the mail to dead2.example.org, so each server has failures.
    // postfixLog writes each attempt as a message of 4 lines.
    const lines = postfixLog(interleaved(DEAD, LIVE, 0, 300, 2))
      .trimEnd()
      .split("\n");
    const messages: string[] = [];
    for (let start = 0; start < lines.length; start += 4) {
      const message = lines.slice(start, start + 4).join("\n");
      const toDead2 = message.includes("@dead2.example.org>");
      messages.push(toDead2 ? message.replaceAll(" mail postfix/", " mail2 postfix/") : message);
    }
    const log = `${messages.join("\n")}\n`;
    const diagnosis = await diagnoseText(log, { now: T0 + 48 * 60 * MINUTE });
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);

    const outage = diagnosis.providers.other?.outage;
    expect(outage?.failures).toBe(151);
    expect(outage?.failuresByHost).toEqual({ mail: 101, mail2: 50 });
    expect(diagnosis.verdict.summary).toContain("These servers cannot connect to the receivers");
  });

  test("trailing run shows the streak's first failure", async () => {
    const diagnosis = await diagnose([
      ...interleaved(DEAD, LIVE, 0, 300, 2),
      ...attemptsTo(DEAD, 12, 301, "timed-out"),
    ]);

    const outage = diagnosis.providers.other?.outage;
    expect(outage?.first.time).toBe("2024-03-04T00:00:00Z");
    expect(outage?.first.text).toContain("mx.dead0.example.org");
    expect(outage?.failuresAtEnd?.first).toBe(outage?.first.time);

    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toMatch(/unreachable 2024-03-04 00:00:00 /);
    expect(text).not.toMatch(/unreachable 2024-03-04 05:01:00 /);
    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown).toContain("**other receivers unreachable** since 2024-03-04 00:00:00");
  });

  test("two interleaved dead domains", async () => {
    const diagnosis = await diagnose(interleaved(DEAD.slice(0, 2), LIVE, 0, 300, 2));
    expect(diagnosis.providers.other?.status).toBe("ok");
    expect(diagnosis.providers.other?.outage).toBeNull();
  });

  test("all domains failing get firewall advice", async () => {
    // Mail was accepted until minute 100, then every domain fails, live ones included.
    const diagnosis = await diagnose([
      ...attemptsTo(LIVE, 10, 0, "sent").map((attempt, index) => ({
        ...attempt,
        minute: index * 10,
      })),
      ...attemptsTo([...DEAD, ...LIVE], 20, 101, "timed-out"),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("unreachable");
    expect(other?.outage?.otherReceiversReachedAt).toBeNull();
    expect(diagnosis.verdict.summary).toContain("blocking outbound port 25");
    expect(other?.outage?.fix.join("\n")).not.toContain("dig +short MX");
  });

  test("firewall after a dead domain", async () => {
    // One domain failed between deliveries all along, and then every domain fails at once.
    const diagnosis = await diagnose([
      ...interleaved(["dead0.example.org"], LIVE, 0, 100, 5),
      ...attemptsTo([...DEAD, ...LIVE], 20, 101, "timed-out"),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.outage?.otherReceiversReachedAt).toBeNull();
    expect(diagnosis.verdict.summary).toContain("blocking outbound port 25");
  });

  test("one domain counts every failure", async () => {
    // A first run of 12 failures, then failures between deliveries up to the end of the log.
    const diagnosis = await diagnose([
      ...attemptsTo(["dead0.example.org"], 12, 0, "timed-out"),
      ...interleaved(["dead0.example.org"], LIVE, 20, 200, 4),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.status).toBe("ok");
    const report = other?.fewDomains.find((entry) => entry.status === "unreachable");
    expect(report?.attempts).toBe(12 + 46);
    expect(report?.first).toBe("2024-03-04T00:00:00Z");
    expect(report?.last).toBe("2024-03-04T03:20:00Z");
    expect(diagnosis.verdict.summary).toContain("The 58 attempts that failed to connect");
    expect(diagnosis.verdict.summary).toContain("it still fails at the end of the log");
    expect(diagnosis.verdict.summary).not.toContain("12 attempts in a row");

    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
    expect(text).toContain("In all, 58 attempts to dead0.example.org failed to connect");
    expect(text).toContain("and it still fails at the end of the log");
  });

  test("outage names domains outside its run", async () => {
    // The run fails at three domains, and two more begin to fail between later deliveries.
    const later = ["late0.example.org", "late1.example.org"];
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(DEAD, 12, 100, "timed-out"),
      ...interleaved([...DEAD, ...later], LIVE, 115, 200, 3),
    ]);

    const other = diagnosis.providers.other;
    const all = [...DEAD, ...later].sort();
    expect(other?.outage?.domainsFailingAtEnd).toEqual(all);
    expect([...(other?.failedDomainsAtEnd ?? [])].sort()).toEqual(all);
    expect(diagnosis.verdict.summary).toContain("late1.example.org");
  });

  test("reached domains leave both lists", async () => {
    // Every dead domain accepts mail after its failures, so none fails at the end.
    const diagnosis = await diagnose([
      ...gmailDeliveries(),
      ...attemptsTo(DEAD, 12, 100, "timed-out"),
      ...attemptsTo(DEAD, 6, 115, "sent").map((attempt, index) => ({
        ...attempt,
        minute: 115 + index * 10,
      })),
    ]);

    const other = diagnosis.providers.other;
    expect(other?.outage?.domainsFailingAtEnd).toEqual([]);
    expect(other?.failedDomainsAtEnd).toEqual([]);
    expect(item(diagnosis, "blocks-ended")?.detail ?? "").not.toContain("of their domains still");
  });
});
