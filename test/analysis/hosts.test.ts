import { describe, expect, test } from "vitest";
import { LogAnalyser, type LogFacts } from "../../src/analysis/analyser.js";
import {
  newLoggedMessage,
  type DeliveryEvent,
  type LogEvent,
  type MtaName,
} from "../../src/logs/events.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

const T0 = Date.UTC(2026, 2, 4, 8, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com";
const REJECTED =
  "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.5 12] Gmail has detected that this message is likely unsolicited mail. (in reply to end of DATA command)";

let nextId = 0;

/** Builds a message event and a delivery to Gmail, logged by `host` in `file`. */
function mail(host: string, file: string, accepted: boolean, mta: MtaName = "postfix"): LogEvent[] {
  nextId += 1;
  const time = T0 + nextId * 60_000;
  const position = { file, line: nextId };
  const message = newLoggedMessage(mta, host, `A${nextId}`, time, position);
  const delivery: DeliveryEvent = {
    type: "delivery",
    time,
    position,
    message,
    recipient: `user${nextId}@gmail.com`,
    originalRecipient: null,
    status: accepted ? "sent" : "bounced",
    transport: "smtp",
    remote: true,
    relayHost: GMAIL_MX,
    relayIp: "192.0.2.27",
    dsn: accepted ? "2.0.0" : "5.7.1",
    response: accepted ? "250 2.0.0 OK" : REJECTED,
    firstAttempt: true,
  };
  return [{ type: "message", time, position, message }, delivery];
}

function analyse(events: readonly LogEvent[]): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  for (const event of events) analyser.handle(event);
  return analyser.finish();
}

describe("mail per host", () => {
  test("counts attempts and messages", () => {
    const facts = analyse([
      ...mail("mx1", "mail.log", true),
      ...mail("mx1", "mail.log", false),
      ...mail("mx2", "syslog", false),
    ]);

    expect([...facts.server.hosts.values()]).toEqual([
      { name: "mx1", remoteAttempts: 2, messages: 2, mtas: new Set(["postfix"]) },
      { name: "mx2", remoteAttempts: 1, messages: 1, mtas: new Set(["postfix"]) },
    ]);
  });

  test("keeps the MTAs of each host", () => {
    const facts = analyse([
      ...mail("mx1", "syslog", true, "exim"),
      ...mail("mx2", "syslog", true),
      ...mail("mx2", "syslog", true, "sendmail"),
    ]);

    expect(facts.server.hosts.get("mx1")?.mtas).toEqual(new Set(["exim"]));
    expect(facts.server.hosts.get("mx2")?.mtas).toEqual(new Set(["postfix", "sendmail"]));
  });

  test("splits blocked attempts by host", () => {
    const facts = analyse([
      ...mail("mx1", "mail.log", true),
      ...mail("mx1", "mail.log", false),
      ...mail("mx2", "syslog", false),
      ...mail("mx2", "syslog", false),
    ]);
    const gmail = facts.providers.get("gmail");

    expect(gmail?.blockedAttempts).toBe(3);
    expect(Object.fromEntries(gmail?.blockedAttemptsByHost ?? [])).toEqual({ mx1: 1, mx2: 2 });
  });

  test("hostless log named by file set", () => {
    const facts = analyse([
      ...mail("", "/var/log/mail.log", true),
      ...mail("", "/var/log/mail.log.1", true),
    ]);

    expect([...facts.server.hosts.keys()]).toEqual(["postfix log /var/log/mail.log"]);
    expect(facts.server.hosts.get("postfix log /var/log/mail.log")?.remoteAttempts).toBe(2);
  });
});
