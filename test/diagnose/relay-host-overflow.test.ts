import { describe, expect, test } from "vitest";
import { OTHER_RELAY_HOSTS_KEY } from "../../src/knowledge/providers.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const QUOTA_REPLY = "451 4.7.1 Sending quota exceeded for this account";

/**
 * Writes a Postfix log of 24 messages, one every 10 minutes from 2026-03-10 08:00 UTC, each to
 * one recipient of every domain `d0.example` to `d{relayHosts - 1}.example`. The mail of domain
 * `k` goes to `relay{k}.example.net` on port 587, and the relay hosts in `deferring` defer it
 * from message 12 on.
 */
function manyRelayHostsLog(relayHosts: number, deferring: ReadonlySet<number>): string {
  const lines: string[] = [];
  for (let index = 0; index < 24; index++) {
    const time = new Date(Date.UTC(2026, 2, 10, 8, index * 10)).toISOString();
    const stamp = time.replace(".000Z", "+00:00");
    const id = `4A${String(index).padStart(8, "0")}`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${relayHosts} (queue active)`,
    );
    for (let k = 0; k < relayHosts; k++) {
      const host = `relay${k}.example.net`;
      const ip = `192.0.2.${100 + k}`;
      const to = `to=<u${index}@d${k}.example>, relay=${host}[${ip}]:587, delay=1, delays=0.1/0/0.4/0.5`;
      lines.push(
        deferring.has(k) && index >= 12
          ? `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=4.7.1, status=deferred (host ${host}[${ip}] said: ${QUOTA_REPLY} (in reply to MAIL FROM command))`
          : `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes a Postfix log of one message to `relayHosts` recipients, the one of domain
 * `d{k}.example` sent to `relay{k}.example.net` on port 587. Relay host `deferring` defers its
 * recipient, and the others accept theirs.
 */
function oneMessageLog(relayHosts: number, deferring: number): string {
  const stamp = "2026-03-10T08:00:00+00:00";
  const id = "4B00000001";
  const lines = [
    `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${relayHosts} (queue active)`,
  ];
  for (let k = 0; k < relayHosts; k++) {
    const host = `relay${k}.example.net`;
    const ip = `192.0.2.${k % 250}`;
    const to = `to=<u@d${k}.example>, relay=${host}[${ip}]:587, delay=1, delays=0.1/0/0.4/0.5`;
    lines.push(
      k === deferring
        ? `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=4.7.1, status=deferred (host ${host}[${ip}] said: ${QUOTA_REPLY} (in reply to MAIL FROM command))`
        : `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("relay hosts past the row limit", () => {
  // 22 relay hosts: the first 20 get rows, and relay21, the last one seen, defers mail.
  const log = manyRelayHostsLog(22, new Set([21]));

  test("deferring relay host keeps its row", async () => {
    const diagnosis = await diagnoseText(log);
    const blocked = diagnosis.providers["relay-host:relay21.example.net:587"];

    expect(blocked?.name).toBe("relay host relay21.example.net:587");
    expect(blocked?.status).toBe("rate-limited");
    expect(blocked?.sent).toBe(12);
    expect(blocked?.deferred).toBe(12);
    expect(blocked?.relayDomains).toEqual({ "d21.example": 24 });
    expect(blocked?.relayHostCount).toBe(1);
    expect(blocked?.firstBlock?.time).toBe("2026-03-10T10:00:00Z");
  });

  test("shared row takes healthy ones", async () => {
    const diagnosis = await diagnoseText(log);
    const shared = diagnosis.providers[OTHER_RELAY_HOSTS_KEY];

    expect(shared?.status).toBe("ok");
    expect(shared?.sent).toBe(24);
    expect(shared?.attempts).toBe(24);
    expect(shared?.recipients).toBe(24);
    expect(shared?.deferred).toBe(0);
    expect(shared?.relayDomains).toEqual({ "d20.example": 24 });
    expect(shared?.relayHostCount).toBe(1);
    expect(diagnosis.providers["relay-host:relay19.example.net:587"]?.sent).toBe(24);
    expect(diagnosis.providers["relay-host:relay20.example.net:587"]).toBeUndefined();
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });

  test("verdict counts healthy relay hosts", async () => {
    const diagnosis = await diagnoseText(log);
    const summary = diagnosis.verdict.summary;

    expect(summary).toContain(
      "Mail for d21.example goes through relay host relay21.example.net:587, which defers it",
    );
    expect(summary).toContain("mail through the 21 other relay hosts is delivered");
    expect(summary).not.toContain("relay0.example.net");
    expect(summary).not.toContain("d20.example");
  });

  test("text report rows", async () => {
    const lines = renderDiagnosisText(await diagnoseText(log), painter(false)).split("\n");
    // Returns the cells of the table row above the line with the relay host's label.
    const rowAbove = (label: string): string[] =>
      (lines[lines.indexOf(`    ${label}`) - 1] ?? "").trim().split(/ {2,}/);

    expect(rowAbove("relay21.example.net:587")).toEqual([
      "relay host",
      "rate-limited",
      "12",
      "12",
      "12",
      "0",
    ]);
    expect(rowAbove("*")).toEqual(["relay host", "ok", "24", "0", "0", "0"]);
  });

  test("shared row past the tracking limit", async () => {
    // Relay hosts 20 to 1,019 are followed one by one, and 1,020 to 1,029 share the row from
    // the start. Relay host 500 defers, so it keeps a row of its own.
    const diagnosis = await diagnoseText(oneMessageLog(1_030, 500));
    const shared = diagnosis.providers[OTHER_RELAY_HOSTS_KEY];

    expect(shared?.relayHostCount).toBe(1_009);
    expect(shared?.sent).toBe(1_009);
    expect(shared?.status).toBe("ok");
    expect(diagnosis.providers["relay-host:relay500.example.net:587"]?.deferred).toBe(1);
    expect(diagnosis.verdict.summary).toContain(
      "mail through the 1,029 other relay hosts is delivered",
    );
  });

  test("shared row counts several hosts", async () => {
    // 25 relay hosts: relay20 and relay23 defer, so relay21, relay22 and relay24 share a row.
    const diagnosis = await diagnoseText(manyRelayHostsLog(25, new Set([20, 23])));
    const shared = diagnosis.providers[OTHER_RELAY_HOSTS_KEY];

    expect(shared?.relayHostCount).toBe(3);
    expect(shared?.sent).toBe(72);
    expect(shared?.recipients).toBe(72);
    expect(shared?.relayDomainCount).toBe(3);
    expect(diagnosis.providers["relay-host:relay20.example.net:587"]?.deferred).toBe(12);
    expect(diagnosis.providers["relay-host:relay23.example.net:587"]?.deferred).toBe(12);
    expect(diagnosis.verdict.summary).toContain(
      "Mail through the 23 other relay hosts is delivered",
    );
  });
});
