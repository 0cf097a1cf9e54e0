import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { columns } from "../../src/report/wrap.js";
import { runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

const QUOTA_REPLY =
  "451 4.7.1 <alice@example.com>: Sender address rejected: sending quota of 500 messages per day exceeded";

/** A receiver of the test logs: the host that Postfix names in `relay=` and its port. */
interface Route {
  readonly host: string;
  readonly ip: string;
  readonly port: number;
}

const BLOCKED_RELAY: Route = { host: "smtp.relay.example.net", ip: "192.0.2.50", port: 587 };
const GOOD_RELAY: Route = { host: "smtp.other-relay.example.org", ip: "192.0.2.60", port: 465 };
const YAHOO_MX: Route = { host: "mta5.am0.yahoodns.net", ip: "192.0.2.221", port: 25 };
const OUTLOOK_MX: Route = {
  host: "hotmail-com.olc.protection.outlook.com",
  ip: "192.0.2.211",
  port: 25,
};

/** One recipient of each message: its domain, its route, and whether the route defers it. */
interface Leg {
  readonly domain: string;
  readonly route: Route;
  readonly deferFrom?: number;
}

/**
 * Writes a Postfix log in which alice@example.com sends one message every 10 minutes for
 * `messages` messages, from 2026-03-10 08:00 UTC, each to one recipient per leg. A leg with
 * `deferFrom` is deferred with a sending-quota reply from that message on.
 */
function postfixLog(legs: readonly Leg[], messages: number): string {
  const lines: string[] = [];
  for (let index = 0; index < messages; index++) {
    const time = new Date(Date.UTC(2026, 2, 10, 8, index * 10)).toISOString();
    const stamp = time.replace(".000Z", "+00:00");
    const id = `4A${String(index).padStart(8, "0")}`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${legs.length} (queue active)`,
    );
    for (const leg of legs) {
      const { host, ip, port } = leg.route;
      const relay = `relay=${host}[${ip}]:${port}, delay=1, delays=0.1/0/0.4/0.5`;
      const to = `to=<u${index}@${leg.domain}>`;
      const deferred = leg.deferFrom !== undefined && index >= leg.deferFrom;
      lines.push(
        deferred
          ? `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, ${relay}, dsn=4.7.1, status=deferred (host ${host}[${ip}] said: ${QUOTA_REPLY} (in reply to MAIL FROM command))`
          : `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, ${relay}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Joins the report's lines and indents into single spaces, for phrases that wrap. */
function flat(report: string): string {
  return report.replace(/\s+/g, " ");
}

function textReport(diagnosis: Diagnosis): string {
  return renderDiagnosisText(diagnosis, painter(false));
}

describe("two relay hosts and direct mail", () => {
  // gmail.com goes through a relay host that starts deferring at message 12, example.org
  // through a second relay host that accepts everything, and yahoo.com straight to its MX.
  const log = postfixLog(
    [
      { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
      { domain: "example.org", route: GOOD_RELAY },
      { domain: "yahoo.com", route: YAHOO_MX },
    ],
    24,
  );

  test("relay hosts get separate rows", async () => {
    const diagnosis = await diagnoseText(log);
    const blocked = diagnosis.providers["relay-host"];
    const good = diagnosis.providers["relay-host:smtp.other-relay.example.org:465"];

    expect(blocked?.relayHost).toBe("smtp.relay.example.net:587");
    expect(blocked?.name).toBe("relay host smtp.relay.example.net:587");
    expect(blocked?.sent).toBe(12);
    expect(blocked?.deferred).toBe(12);
    expect(blocked?.status).toBe("rate-limited");
    expect(blocked?.firstBlock?.time).toBe("2026-03-10T10:00:00Z");
    expect(blocked?.relayDomains).toEqual({ "gmail.com": 24 });
    expect(blocked?.relayDomainCount).toBe(1);
    expect(blocked?.relayHostCount).toBe(1);
    expect(good?.relayHost).toBe("smtp.other-relay.example.org:465");
    expect(good?.sent).toBe(24);
    expect(good?.deferred).toBe(0);
    expect(good?.status).toBe("ok");
    expect(good?.firstBlock).toBeNull();
    expect(diagnosis.providers["yahoo"]?.relayHost).toBeNull();
    expect(diagnosis.providers["yahoo"]?.relayDomains).toBeNull();
    expect(diagnosis.providers["yahoo"]?.relayHostCount).toBeNull();
    expect(diagnosis.providers["yahoo"]?.sent).toBe(24);
  });

  test("verdict names the blocked relay host", async () => {
    const summary = (await diagnoseText(log)).verdict.summary;

    expect(summary).toContain(
      "Mail for gmail.com goes through relay host smtp.relay.example.net:587, which defers it since 2026-03-10T10:00:00Z",
    );
    expect(summary).toContain(
      "mail sent directly to other domains and mail through the other relay host is delivered",
    );
    expect(summary).not.toContain("smtp.other-relay.example.org");
    expect(summary).toContain("ask the relay host's operator");
    expect(summary).not.toContain("sends all its outbound mail");
    expect(summary).not.toContain("Relay host defers");
  });

  test("findings and readiness name it", async () => {
    const diagnosis = await diagnoseText(log);
    const [block] = diagnosis.unexplainedBlocks;

    expect(diagnosis.unexplainedBlocks).toHaveLength(1);
    expect(block?.provider).toBe("relay-host");
    expect(block?.summary).toBe(
      "No finding in the log explains why the relay host smtp.relay.example.net:587 defers mail from this server.",
    );
    expect(diagnosis.readiness.summary).toContain(
      "ask the relay host's operator (relay host smtp.relay.example.net:587) with the reply text",
    );
    expect(diagnosis.readiness.summary).not.toContain("postmaster");
  });

  test("text table keeps the hosts apart", async () => {
    const report = textReport(await diagnoseText(log));
    const lines = report.split("\n");

    expect(report).not.toContain("smtp…");
    expect(lines).toContain("    smtp.relay.example.net:587");
    expect(lines).toContain("    smtp.other-relay.example.org:465");
    expect(flat(report)).toContain(
      "why the relay host smtp.relay.example.net:587 defers mail from this server",
    );
    expect(lines.filter((line) => columns(line) > 80)).toEqual([]);
  });

  test("Markdown table names both hosts", async () => {
    const report = renderDiagnosisMarkdown(await diagnoseText(log));

    expect(report).toMatch(/^\| relay host smtp\.relay\.example\.net:587 \| rate-limited/m);
    expect(report).toMatch(/^\| relay host smtp\.other-relay\.example\.org:465 \| ok/m);
    expect(flat(report)).toContain("goes through relay host smtp.relay.example.net:587");
  });

  test("JSON matches the schema", async () => {
    const diagnosis = await diagnoseText(log);
    const json = JSON.parse(JSON.stringify(diagnosis)) as Diagnosis;

    expect(validateDiagnosis(json)).toEqual([]);
    expect(Object.keys(json.providers).sort()).toEqual([
      "relay-host",
      "relay-host:smtp.other-relay.example.org:465",
      "yahoo",
    ]);
  });
});

describe("logs with two relay hosts", () => {
  const log = postfixLog(
    [
      { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
      { domain: "example.org", route: GOOD_RELAY },
    ],
    24,
  );

  test("text table keeps the hosts apart", async () => {
    const file = writeTemporaryLog(log);
    try {
      const result = await runCommand(["logs", "--timezone", "UTC", file.path]);
      const lines = result.stdout.split("\n");

      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain("smtp…");
      expect(lines).toContain("    smtp.relay.example.net:587");
      expect(lines).toContain("    smtp.other-relay.example.org:465");
    } finally {
      file.remove();
    }
  });

  test("JSON rows match the schema", async () => {
    const file = writeTemporaryLog(log);
    try {
      const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", file.path]);
      const json = JSON.parse(result.stdout) as {
        providers: Record<string, { relayHost: string | null; deferred: number }>;
      };

      expect(validateStatistics(json)).toEqual([]);
      expect(json.providers["relay-host"]?.relayHost).toBe("smtp.relay.example.net:587");
      expect(json.providers["relay-host"]?.deferred).toBe(12);
      const good = json.providers["relay-host:smtp.other-relay.example.org:465"];
      expect(good?.relayHost).toBe("smtp.other-relay.example.org:465");
      expect(good?.deferred).toBe(0);
    } finally {
      file.remove();
    }
  });
});

describe("one relay host for gmail.com only", () => {
  const log = postfixLog(
    [
      { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
      { domain: "outlook.com", route: OUTLOOK_MX },
      { domain: "yahoo.com", route: YAHOO_MX },
    ],
    24,
  );

  test("verdict says which mail goes through it", async () => {
    const summary = (await diagnoseText(log)).verdict.summary;

    expect(summary).toMatch(
      /^Mail for gmail\.com goes through relay host smtp\.relay\.example\.net:587, which defers it since 2026-03-10T10:00:00Z, .*; mail sent directly to other domains is delivered\./,
    );
    expect(summary).toContain(
      "The mail that relay host smtp.relay.example.net:587 held never reached the recipients' providers.",
    );
    expect(summary).not.toContain("This server sends");
  });

  test("direct rows keep their counts", async () => {
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers["outlook"]?.sent).toBe(24);
    expect(diagnosis.providers["yahoo"]?.sent).toBe(24);
    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(Object.keys(diagnosis.providers)).not.toContain("relay-host:smtp.relay.example.net:587");
  });
});

describe("relay host that carries all mail", () => {
  test("verdict says all mail goes through it", async () => {
    const log = postfixLog(
      [
        { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
        { domain: "yahoo.com", route: BLOCKED_RELAY, deferFrom: 12 },
      ],
      24,
    );
    const diagnosis = await diagnoseText(log);
    const summary = diagnosis.verdict.summary;

    expect(summary).toMatch(
      /^Relay host smtp\.relay\.example\.net:587 defers mail from this server since 2026-03-10T10:00:00Z/,
    );
    expect(summary).toContain(
      "This server sends all its outbound mail through relay host smtp.relay.example.net:587",
    );
    expect(summary).not.toContain("is delivered");
    expect(diagnosis.providers["relay-host"]?.relayDomains).toEqual({
      "gmail.com": 24,
      "yahoo.com": 24,
    });
  });
});

describe("two blocked relay hosts", () => {
  test("readiness names both operators", async () => {
    const other: Route = { ...GOOD_RELAY };
    const log = postfixLog(
      [
        { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
        { domain: "example.org", route: other, deferFrom: 12 },
        { domain: "yahoo.com", route: YAHOO_MX },
      ],
      24,
    );
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers["relay-host"]?.status).toBe("rate-limited");
    expect(diagnosis.providers["relay-host:smtp.other-relay.example.org:465"]?.status).toBe(
      "rate-limited",
    );
    expect(diagnosis.verdict.summary).toContain("Mail for example.org goes through relay host");
    expect(diagnosis.verdict.summary).toContain("ask the operator of each relay host");
    expect(diagnosis.readiness.summary).toContain(
      "ask the operator of each relay host (relay host smtp.relay.example.net:587, relay host smtp.other-relay.example.org:465)",
    );
  });
});

describe("verdict sentences of several rows", () => {
  test("three clauses make three sentences", async () => {
    const log = postfixLog(
      [
        { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
        { domain: "example.org", route: GOOD_RELAY, deferFrom: 12 },
        { domain: "yahoo.com", route: YAHOO_MX },
      ],
      24,
    );
    const summary = (await diagnoseText(log)).verdict.summary;

    expect(summary).not.toContain(";");
    expect(summary).toMatch(
      /^Mail for gmail\.com goes through relay host smtp\.relay\.example\.net:587, which defers it since 2026-03-10T10:00:00Z\b/,
    );
    expect(summary).toContain(
      ". Mail for example.org goes through relay host smtp.other-relay.example.org:465, which defers it since",
    );
    expect(summary).toContain(". Mail sent directly to other domains is delivered.");
  });

  test("two clauses share one sentence", async () => {
    const log = postfixLog(
      [
        { domain: "gmail.com", route: BLOCKED_RELAY, deferFrom: 12 },
        { domain: "example.org", route: GOOD_RELAY, deferFrom: 12 },
      ],
      24,
    );
    const summary = (await diagnoseText(log)).verdict.summary;

    expect(summary).toMatch(/^Mail for gmail\.com goes through relay host/);
    expect(summary).toContain(
      "; mail for example.org goes through relay host smtp.other-relay.example.org:465",
    );
    expect(summary).not.toContain("Mail for example.org");
  });
});
