import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { eventsOf, runPostfix, toRecord } from "./fixture.js";

const HEAD = "Mar  4 09:15:04 mx1";

/** Returns the lines of one message that the instance `tag` received from `client`. */
function messageLines(tag: string, id: string, sender: string, client: string): string[] {
  return [
    `${HEAD} ${tag}/smtpd[300]: ${id}: client=${client}`,
    `${HEAD} ${tag}/cleanup[301]: ${id}: message-id=<${sender}>`,
    `${HEAD} ${tag}/qmgr[302]: ${id}: from=<${sender}>, size=2000, nrcpt=1 (queue active)`,
  ];
}

function sentLine(tag: string, id: string, recipient: string): string {
  return `${HEAD} ${tag}/smtp[303]: ${id}: to=<${recipient}>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)`;
}

function removedLine(tag: string, id: string): string {
  return `${HEAD} ${tag}/qmgr[302]: ${id}: removed`;
}

describe("Postfix queue ids of two instances", () => {
  it("same id stays two messages", () => {
    const { events, parser } = runPostfix([
      ...messageLines("postfix", "4B7E21C0A3", "alice@example.com", "a.example.org[192.0.2.10]"),
      ...messageLines("postfix-out", "4B7E21C0A3", "bob@example.com", "b.example.org[192.0.2.11]"),
      sentLine("postfix", "4B7E21C0A3", "carol@example.net"),
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
    ]);
    const senders = eventsOf(events, "delivery").map((event) => [
      event.recipient,
      event.message.sender,
      event.message.clientIp,
    ]);

    expect(parser.openMessages).toBe(2);
    expect(eventsOf(events, "message")).toHaveLength(2);
    expect(senders).toEqual([
      ["carol@example.net", "alice@example.com", "192.0.2.10"],
      ["dave@example.net", "bob@example.com", "192.0.2.11"],
    ]);
  });

  it("removed ends one instance's message", () => {
    const { events, parser } = runPostfix([
      ...messageLines("postfix", "4B7E21C0A3", "alice@example.com", "a.example.org[192.0.2.10]"),
      ...messageLines("postfix-out", "4B7E21C0A3", "bob@example.com", "b.example.org[192.0.2.11]"),
      removedLine("postfix", "4B7E21C0A3"),
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
      removedLine("postfix-out", "4B7E21C0A3"),
    ]);
    const [delivery] = eventsOf(events, "delivery");

    expect(delivery?.message.sender).toBe("bob@example.com");
    expect(parser.openMessages).toBe(0);
  });

  it("transport syslog_name joins its message", () => {
    // master.cf: `smtp-ip2 unix … smtp -o syslog_name=postfix-ip2`, a transport of one instance.
    const { events, parser } = runPostfix([
      ...messageLines("postfix", "4B7E21C0A3", "alice@example.com", "a.example.org[192.0.2.10]"),
      sentLine("postfix-ip2", "4B7E21C0A3", "carol@example.net"),
      removedLine("postfix", "4B7E21C0A3"),
    ]);
    const [delivery] = eventsOf(events, "delivery");

    expect(eventsOf(events, "message")).toHaveLength(1);
    expect(delivery?.message.sender).toBe("alice@example.com");
    expect(delivery?.message.clientIp).toBe("192.0.2.10");
    expect(delivery?.outgoingSource).toBe("postfix-ip2");
    expect(parser.openMessages).toBe(0);
  });

  it("service syslog_name shares the queue", () => {
    // master.cf: `submission inet … smtpd -o syslog_name=postfix-submission`.
    const { events, parser } = runPostfix([
      `${HEAD} postfix-submission/smtpd[300]: 4B7E21C0A3: client=a.example.org[192.0.2.10], sasl_method=PLAIN, sasl_username=alice`,
      `${HEAD} postfix/cleanup[301]: 4B7E21C0A3: message-id=<m1@example.com>`,
      `${HEAD} postfix/qmgr[302]: 4B7E21C0A3: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      sentLine("postfix", "4B7E21C0A3", "carol@example.net"),
      removedLine("postfix", "4B7E21C0A3"),
    ]);
    const [delivery] = eventsOf(events, "delivery");

    expect(eventsOf(events, "message")).toHaveLength(1);
    expect(delivery?.message.saslUsername).toBe("alice");
    expect(delivery?.message.messageId).toBe("m1@example.com");
    expect(parser.openMessages).toBe(0);
  });

  it("other hosts keep their own queues", () => {
    const { events } = runPostfix([
      ...messageLines(
        "postfix-out",
        "4B7E21C0A3",
        "alice@example.com",
        "a.example.org[192.0.2.10]",
      ),
      sentLine("postfix-out", "4B7E21C0A3", "carol@example.net").replace(" mx1 ", " mx2 "),
    ]);
    const [delivery] = eventsOf(events, "delivery");

    expect(delivery?.message.host).toBe("mx2");
    expect(delivery?.message.sender).toBeNull();
  });

  it("eviction counts messages of every instance", () => {
    const events: LogEvent[] = [];
    const parser = createPostfixParser((event) => events.push(event), {
      maxOpenMessages: 2,
      maxPendingRecipients: 100,
    });
    const clients = [
      ["postfix", "4B7E21C0A3"],
      ["postfix-out", "4B7E21C0A3"],
      ["postfix-out", "5C8F32D1B4"],
      ["postfix", "6D9A43E2C5"],
    ];
    clients.forEach(([tag, id], index) => {
      // Each client line a second later, so that the least recently active message is clear.
      const head = `Mar  4 09:15:1${index} mx1`;
      const line = `${head} ${tag}/smtpd[300]: ${id}: client=a.example.org[192.0.2.${10 + index}]`;
      parser.parse(toRecord(line, index + 1));
    });
    const sent = sentLine("postfix", "6D9A43E2C5", "carol@example.net").replace(
      HEAD,
      "Mar  4 09:15:19 mx1",
    );
    parser.parse(toRecord(sent, 5));

    expect(parser.openMessages).toBeLessThanOrEqual(2);
    expect(parser.openMessages + parser.evictedMessages).toBe(4);
    expect(eventsOf(events, "delivery")[0]?.message.clientIp).toBe("192.0.2.13");
  });
});

describe("one queue id in two instances", () => {
  // postfix's message 4B7E21C0A3 was queued before the log starts, while postfix-out receives
  // another message with the same id.
  const midDelivery = [
    sentLine("postfix", "4B7E21C0A3", "carol@example.net"),
    removedLine("postfix", "4B7E21C0A3"),
  ];

  it("mid-delivery line keeps its instance", () => {
    const { events, parser } = runPostfix([
      ...messageLines("postfix-out", "4B7E21C0A3", "bob@example.com", "b.example.org[192.0.2.11]"),
      ...midDelivery,
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
      removedLine("postfix-out", "4B7E21C0A3"),
    ]);
    const [carol, dave] = eventsOf(events, "delivery");

    expect(carol?.recipient).toBe("carol@example.net");
    expect(carol?.message.instance).toBe("postfix");
    expect(carol?.message.sender).toBeNull();
    expect(dave?.recipient).toBe("dave@example.net");
    expect(dave?.message.instance).toBe("postfix-out");
    expect(dave?.message.sender).toBe("bob@example.com");
    expect(dave?.message.clientIp).toBe("192.0.2.11");
    expect(parser.openMessages).toBe(0);
  });

  it("client line starts its own message", () => {
    const { events, parser } = runPostfix([
      midDelivery[0] ?? "",
      ...messageLines("postfix-out", "4B7E21C0A3", "bob@example.com", "b.example.org[192.0.2.11]"),
      midDelivery[1] ?? "",
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
    ]);
    const [carol, dave] = eventsOf(events, "delivery");

    expect(carol?.message.instance).toBe("postfix");
    expect(carol?.message.clientIp).toBeNull();
    expect(dave?.message.instance).toBe("postfix-out");
    expect(dave?.message.clientIp).toBe("192.0.2.11");
    expect(dave?.message.sender).toBe("bob@example.com");
    expect(dave?.message).not.toBe(carol?.message);
    expect(parser.openMessages).toBe(1);
  });

  it("pickup line starts its own message", () => {
    const { events } = runPostfix([
      midDelivery[0] ?? "",
      `${HEAD} postfix-out/pickup[304]: 4B7E21C0A3: uid=1004 from=<shop>`,
      `${HEAD} postfix-out/qmgr[302]: 4B7E21C0A3: from=<shop@example.com>, size=2000, nrcpt=1 (queue active)`,
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
    ]);
    const [carol, dave] = eventsOf(events, "delivery");

    expect(carol?.message.uid).toBeNull();
    expect(dave?.message.instance).toBe("postfix-out");
    expect(dave?.message.uid).toBe(1004);
    expect(dave?.message).not.toBe(carol?.message);
  });

  it("closed message stays closed", () => {
    const { events, parser } = runPostfix([
      ...messageLines("postfix-out", "4B7E21C0A3", "bob@example.com", "b.example.org[192.0.2.11]"),
      sentLine("postfix-out", "4B7E21C0A3", "dave@example.net"),
      removedLine("postfix-out", "4B7E21C0A3"),
      ...midDelivery,
    ]);
    const [dave, carol] = eventsOf(events, "delivery");

    expect(dave?.message.sender).toBe("bob@example.com");
    expect(carol?.message.instance).toBe("postfix");
    expect(carol?.message.sender).toBeNull();
    expect(parser.openMessages).toBe(0);
  });
});

describe("Postfix instances of systemd units", () => {
  /** Frames `journalctl -o with-unit` lines and parses their records with one parser. */
  function parseWithUnit(lines: readonly string[]): LogEvent[] {
    const events: LogEvent[] = [];
    const parser = createPostfixParser((event) => events.push(event));
    const framer = new LineFramer({ timeZone: resolveTimeZone("UTC") });
    framer.startFile("journal.txt", Date.UTC(2024, 2, 10), false);
    lines.forEach((line, index) => {
      framer.frame(line, index + 1, (record) => parser.parse(record));
    });
    return events;
  }

  it("same id of two units stays two messages", () => {
    const head = "Mon 2024-03-04 09:04:08 UTC mx1";
    const events = parseWithUnit([
      `${head} postfix@-.service[300]: 4B7E21C0A3: client=a.example.org[192.0.2.10]`,
      `${head} postfix@postfix-out.service[400]: 4B7E21C0A3: client=b.example.org[192.0.2.11]`,
      `${head} postfix@-.service[302]: 4B7E21C0A3: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${head} postfix@postfix-out.service[402]: 4B7E21C0A3: from=<bob@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${head} postfix@postfix-out.service[403]: 4B7E21C0A3: to=<dave@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
    ]);
    const [delivery] = eventsOf(events, "delivery");

    expect(eventsOf(events, "message")).toHaveLength(2);
    expect(delivery?.message.sender).toBe("bob@example.com");
    expect(delivery?.message.clientIp).toBe("192.0.2.11");
    expect(delivery?.outgoingSource).toBe("postfix-out");
  });
});
