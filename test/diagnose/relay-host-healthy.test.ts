import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

/** Formats minute `minute` after 08:00 on 2026-03-09 as hours, minutes and seconds. */
function clock(minute: number): string {
  const hour = String(8 + Math.floor(minute / 60)).padStart(2, "0");
  return `${hour}:${String(minute % 60).padStart(2, "0")}:00`;
}

/**
 * Writes an Exim main log of 60 messages to gmail.com, one every 5 minutes, all accepted by
 * the smarthost smtp.relay.example.net on port 587. Every fourth message also brings inbound
 * mail for retired@example.com, whose alias is `:fail:`, so Exim bounces it and sends the
 * bounce through the smarthost too.
 */
function eximSmarthostLog(): string {
  const lines: string[] = [];
  const route = "R=smarthost T=remote_smtp_smarthost H=smtp.relay.example.net [192.0.2.50]:587";
  for (let index = 0; index < 60; index++) {
    const time = `2026-03-09 ${clock(index * 5)}`;
    const id = `1tJ${String(index).padStart(3, "0")}-000000-JJ`;
    lines.push(
      `${time} ${id} <= alice@example.com H=(pc) [198.51.100.30]:40000 P=esmtpsa A=dovecot_plain:alice@example.com S=1000`,
      `${time} ${id} => friend${index}@gmail.com ${route} C="250 OK"`,
      `${time} ${id} Completed`,
    );
    if (index % 4 !== 0) continue;
    const inbound = `1tK${String(index).padStart(3, "0")}-000000-KK`;
    const bounce = `1tL${String(index).padStart(3, "0")}-000000-LL`;
    lines.push(
      `${time} ${inbound} <= s${index}@example.net H=mx.example.net [198.51.100.25]:41000 P=esmtps S=2100 for retired@example.com`,
      `${time} ${inbound} ** retired@example.com R=system_aliases: This address is no longer in use`,
      `${time} ${bounce} <= <> R=${inbound} U=Debian-exim P=local S=3100`,
      `${time} ${bounce} => s${index}@example.net ${route} C="250 OK"`,
      `${time} ${bounce} Completed`,
      `${time} ${inbound} Completed`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A receiver of the Postfix test log and whether it rejects one message. */
interface Receiver {
  readonly domain: string;
  readonly relay: string;
  readonly rejectIndex?: number;
}

/**
 * Writes a Postfix log of 60 messages, one every 5 minutes, each to one recipient of every
 * receiver. A receiver rejects the message numbered `rejectIndex` with a 550.
 */
function postfixLog(receivers: readonly Receiver[]): string {
  const lines: string[] = [];
  for (let index = 0; index < 60; index++) {
    const stamp = `2026-03-09T${clock(index * 5)}+00:00`;
    const id = `4A${String(index).padStart(8, "0")}`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${receivers.length} (queue active)`,
    );
    for (const receiver of receivers) {
      const to = `to=<u${index}@${receiver.domain}>, relay=${receiver.relay}, delay=1, delays=0.1/0/0.4/0.5`;
      lines.push(
        receiver.rejectIndex === index
          ? `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=5.7.1, status=bounced (host ${receiver.relay} said: 550 5.7.1 Message rejected by policy (in reply to end of DATA command))`
          : `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes a Sendmail log of 60 messages to example.org, one every 5 minutes, sent with the
 * `relay` mailer to two smart hosts in turn, which accept all of them.
 */
function sendmailLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 60; index++) {
    const time = `Mar  9 ${clock(index * 5)}`;
    const id = `62B${String(index).padStart(6, "0")}x1`;
    const relay =
      index % 2 === 0
        ? "[smtp.relay.example.net] [192.0.2.50]"
        : "[smtp.other-relay.example.org] [192.0.2.60]";
    lines.push(
      `${time} mx1 sm-mta[4001]: ${id}: from=<alice@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=pc.example.com [198.51.100.30]`,
      `${time} mx1 sm-mta[4002]: ${id}: to=<u${index}@example.org>, delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=121000, relay=${relay}, dsn=2.0.0, stat=Sent (Ok: queued as ABC)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function healthyOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "healthy");
}

describe("healthy finding through relay hosts", () => {
  test("Exim smarthost takes all mail", async () => {
    const diagnosis = await diagnoseText(eximSmarthostLog());
    const healthy = healthyOf(diagnosis);

    expect(diagnosis.verdict.status).toBe("ok");
    expect(healthy?.title).toBe("The relay host accepts this server's mail");
    expect(healthy?.summary).toBe(
      "All outbound mail went to relay host smtp.relay.example.net:587, which accepted it. This log cannot show how the recipients' providers treat that mail. The relay host's own log can.",
    );
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });

  test("Exim fail alias is a policy rejection", async () => {
    const diagnosis = await diagnoseText(eximSmarthostLog());
    const text = renderDiagnosisText(diagnosis, painter(false));
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(diagnosis.localPolicyRejections.bounced).toBe(15);
    expect(diagnosis.localPolicyRejections.first?.recipient).toBe("retired@example.com");
    expect(diagnosis.localDeliveryFailures.bounced).toBe(0);
    expect(text).toContain("Rejected on purpose by this server's own rules: 0 deferred, 15");
    expect(text).not.toContain("Failed local deliveries");
    expect(text).not.toContain("No receiver rejects");
    expect(markdown).toContain("Rejected on purpose by this server's own rules: 0 deferred, 15");
  });

  test("Postfix relay and direct mail", async () => {
    const diagnosis = await diagnoseText(
      postfixLog([
        { domain: "gmail.com", relay: "smtp.relay.example.net[192.0.2.50]:587" },
        { domain: "yahoo.com", relay: "mta5.am0.yahoodns.net[192.0.2.221]:25" },
      ]),
    );
    const healthy = healthyOf(diagnosis);

    expect(healthy?.title).toBe("No receiver rejects or throttles this server's mail");
    expect(healthy?.summary).toContain("no sender-side rejections");
    expect(healthy?.summary).toContain(
      " The mail handed to relay host smtp.relay.example.net:587 goes no further in this log, so it cannot show how the recipients' providers treat that mail.",
    );
  });

  test("Postfix relay host rejects once", async () => {
    const diagnosis = await diagnoseText(
      postfixLog([
        { domain: "gmail.com", relay: "smtp.relay.example.net[192.0.2.50]:587", rejectIndex: 30 },
      ]),
    );
    const healthy = healthyOf(diagnosis);

    expect(diagnosis.providers["relay-host"]?.status).toBe("ok");
    expect(diagnosis.providers["relay-host"]?.bounced).toBe(1);
    expect(healthy?.summary).toContain(
      "All outbound mail went to relay host smtp.relay.example.net:587, which accepted 59 of 60 delivery attempts.",
    );
  });

  test("Sendmail two smart hosts", async () => {
    const diagnosis = await diagnoseText(sendmailLog(), { year: 2026 });
    const healthy = healthyOf(diagnosis);

    expect(Object.keys(diagnosis.providers).sort()).toEqual([
      "relay-host",
      "relay-host:smtp.other-relay.example.org",
    ]);
    expect(healthy?.title).toBe("The relay hosts accept this server's mail");
    expect(healthy?.summary).toContain(
      "All outbound mail went to the 2 relay hosts, which accepted it.",
    );
    expect(healthy?.summary).toContain("The relay hosts' logs can.");
  });
});
