import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const QUOTA_REPLY = "451 4.7.1 Sending quota exceeded for this account";

/** Formats minute `minute` after 08:00 on 2026-03-09 as an Exim time stamp. */
function stamp(minute: number): string {
  const hour = String(8 + Math.floor(minute / 60)).padStart(2, "0");
  return `2026-03-09 ${hour}:${String(minute % 60).padStart(2, "0")}:00`;
}

/**
 * Writes an Exim main log of a server behind a smarthost (Debian's `smarthost` router and
 * `remote_smtp_smarthost` transport): `accepted` messages to Gmail that the relay host
 * accepts, then `deferred` messages that it defers for the account's sending quota.
 */
function eximSmarthostLog(accepted: number, deferred: number): string {
  const lines: string[] = [];
  for (let index = 0; index < accepted + deferred; index++) {
    const time = stamp(index * 2);
    const id = `1tJ${String(index).padStart(3, "0")}-000000-JJ`;
    lines.push(
      `${time} ${id} <= user@example.com H=(pc) [198.51.100.30]:40000 P=esmtpsa ` +
        "A=dovecot_plain:user@example.com S=1000",
    );
    const route = "R=smarthost T=remote_smtp_smarthost";
    const host = "H=smtp.example.net [192.0.2.250]";
    if (index < accepted) {
      lines.push(`${time} ${id} => friend${index}@gmail.com ${route} ${host} C="250 OK"`);
      lines.push(`${time} ${id} Completed`);
    } else {
      lines.push(
        `${time} ${id} == friend${index}@gmail.com ${route} defer (-44) ${host}: SMTP error ` +
          `from remote mail server after RCPT TO:<friend${index}@gmail.com>: ${QUOTA_REPLY}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function readinessOf(diagnosis: Diagnosis, id: string): string | undefined {
  return diagnosis.readiness.items.find((item) => item.id === id)?.status;
}

describe("relay host deliveries", () => {
  test("Exim smarthost gets its own row", async () => {
    const diagnosis = await diagnoseText(eximSmarthostLog(20, 40));
    const relay = diagnosis.providers["relay-host"];

    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(relay?.name).toBe("relay host smtp.example.net");
    expect(relay?.sent).toBe(20);
    expect(relay?.deferred).toBe(40);
    expect(relay?.status).toBe("rate-limited");
    expect(relay?.firstBlock?.ruleId).toBe("generic.sending-quota");
    expect(diagnosis.verdict.status).toBe("rate-limited");
    expect(diagnosis.verdict.summary).toContain("never reached the recipients' providers");
  });

  test("deferring relay host is not healthy", async () => {
    const diagnosis = await diagnoseText(eximSmarthostLog(20, 40));

    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(readinessOf(diagnosis, "blocks-ended")).toBe("fail");
  });

  test("accepting relay host stays ok", async () => {
    const diagnosis = await diagnoseText(eximSmarthostLog(20, 0));

    expect(diagnosis.providers["relay-host"]?.status).toBe("ok");
    expect(diagnosis.providers["gmail"]).toBeUndefined();
  });

  test("failed login to the smarthost holds mail", async () => {
    const lines: string[] = [];
    for (let index = 0; index < 30; index++) {
      const time = stamp(index);
      const id = `1tG${String(index).padStart(3, "0")}-000000-GG`;
      lines.push(
        `${time} ${id} <= app@example.com U=app P=local S=900`,
        `${time} ${id} == user${index}@example.org R=smarthost T=remote_smtp_smarthost ` +
          "defer (-42): authentication required but authentication attempt(s) failed",
      );
    }
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);

    // Exim kept the mail before the relay host saw any, so it stays on this server.
    expect(diagnosis.verdict.heldByServer?.deferred).toBe(30);
    expect(diagnosis.verdict.heldByServer?.check).toMatch(/user name and password .* relay host/);
    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
  });

  test("Postfix relayhost on port 587", async () => {
    const line = (second: number, id: string, text: string): string =>
      `2026-03-09T08:00:${String(second).padStart(2, "0")}+00:00 mx postfix/smtp[2001]: ${id}: ${text}`;
    const lines: string[] = [];
    for (let index = 0; index < 5; index++) {
      const id = `4F00000000${index}`;
      lines.push(
        line(index * 10, id, `from=<user@example.com>, size=1000, nrcpt=1 (queue active)`),
        line(
          index * 10 + 1,
          id,
          `to=<friend${index}@gmail.com>, relay=smtp.example.net[192.0.2.250]:587, delay=1, ` +
            `delays=0.1/0/0.4/0.5, dsn=4.7.1, status=deferred (host smtp.example.net[192.0.2.250] ` +
            `said: ${QUOTA_REPLY} (in reply to RCPT TO command))`,
        ),
      );
    }
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);

    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(diagnosis.providers["relay-host"]?.deferred).toBe(5);
  });

  test("Postfix relayhost on port 25", async () => {
    const line = (second: number, id: string, recipient: string, relay: string): string =>
      `2026-03-09T08:00:${String(second).padStart(2, "0")}+00:00 mx postfix/smtp[2001]: ${id}: ` +
      `to=<${recipient}>, relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=4.7.1, ` +
      `status=deferred (host ${relay} said: ${QUOTA_REPLY} (in reply to RCPT TO command))`;
    const lines = [0, 1, 2].map((index) =>
      line(
        index * 10,
        `4F10000000${index}`,
        `friend${index}@gmail.com`,
        "smtp.example.net[192.0.2.250]",
      ),
    );
    lines.push(line(40, "4F200000000", "partner@example.org", "smtp.example.net[192.0.2.250]"));
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);

    // gmail.com's mail goes to Google's MX hosts only, so another host is a relay host.
    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(diagnosis.providers["relay-host"]?.deferred).toBe(3);
    expect(diagnosis.providers["other"]?.deferred).toBe(1);
  });

  test("provider MX on port 25 keeps its provider", async () => {
    const line =
      "2026-03-09T08:00:01+00:00 mx postfix/smtp[2001]: 4F0000000B: to=<friend@gmail.com>, " +
      "relay=alt1.gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, " +
      "dsn=2.0.0, status=sent (250 2.0.0 OK)";
    const diagnosis = await diagnoseText(`${line}\n`);

    expect(diagnosis.providers["relay-host"]).toBeUndefined();
    expect(diagnosis.providers["gmail"]?.sent).toBe(1);
  });

  test("named relay service keeps its provider", async () => {
    const line =
      "2026-03-09T08:00:01+00:00 mx postfix/smtp[2001]: 4F0000000A: to=<partner@example.org>, " +
      "relay=smtp-relay.gmail.com[192.0.2.251]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, " +
      "status=sent (250 2.0.0 OK)";
    const diagnosis = await diagnoseText(`${line}\n`);

    expect(diagnosis.providers["relay-host"]).toBeUndefined();
    expect(diagnosis.providers["google-workspace"]?.sent).toBe(1);
  });

  test("Sendmail smart host uses the relay mailer", async () => {
    const lines = [
      "Mar  9 08:00:00 mx sm-mta[3120]: 6298000A003120: from=<user@example.com>, size=1000, " +
        "class=0, nrcpts=1, msgid=<a1@example.com>, proto=ESMTPSA, daemon=MTA-MSA, " +
        "relay=pc.example.com [198.51.100.30]",
      "Mar  9 08:00:01 mx sm-mta[3122]: 6298000A003120: to=<friend@gmail.com>, delay=00:00:01, " +
        "xdelay=00:00:01, mailer=relay, pri=120000, relay=smtp.example.net. [192.0.2.250], " +
        `dsn=4.7.1, stat=Deferred: ${QUOTA_REPLY}`,
    ];
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`, { year: 2026 });

    expect(diagnosis.providers["gmail"]).toBeUndefined();
    expect(diagnosis.providers["relay-host"]?.deferred).toBe(1);
  });
});
