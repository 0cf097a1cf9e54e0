import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 09:15:04 mx1";

describe("Postfix delivery lines", () => {
  it("reads an smtp delivery", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtp[2215]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1.2, delays=0.21/0.01/0.4/0.58, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 91C2E)`,
    ]);
    const [delivery] = eventsOf(events, "delivery");
    expect(outcomes).toEqual(["parsed"]);
    expect(delivery).toMatchObject({
      recipient: "bob@example.net",
      originalRecipient: null,
      status: "sent",
      transport: "smtp",
      remote: true,
      relayHost: "mx.example.net",
      relayIp: "198.51.100.25",
      dsn: "2.0.0",
      response: "250 2.0.0 Ok: queued as 91C2E",
      firstAttempt: true,
    });
    expect(delivery?.message.id).toBe("4B7E21C0A3");
    expect(delivery?.position).toEqual({ file: "fixture.log", line: 1 });
  });

  it("reads the relay service as smtp", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/relay[200]: Trusted TLS connection established to mx.example.net[198.51.100.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`,
      `${HEAD} postfix/relay[200]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    ]);
    const [tls] = eventsOf(events, "tls");
    const [delivery] = eventsOf(events, "delivery");

    expect(outcomes).toEqual(["parsed", "parsed"]);
    expect(tls?.peerIp).toBe("198.51.100.25");
    expect(tls?.protocol).toBe("TLSv1.3");
    expect(delivery?.transport).toBe("smtp");
    expect(delivery?.remote).toBe(true);
    expect(delivery?.outgoingSource).toBe("postfix/relay");
    expect(delivery?.recipient).toBe("bob@example.net");
  });

  it("keeps the whole reply up to the last parenthesis", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<carol@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1.4, delays=0.2/0/0.5/0.7, dsn=4.7.1, status=deferred (host mx.example.net[198.51.100.25] said: 451 4.7.1 Greylisted (see https://example.net/help) (in reply to RCPT TO command))`,
    ]);
    expect(eventsOf(events, "delivery")[0]?.response).toBe(
      "host mx.example.net[198.51.100.25] said: 451 4.7.1 Greylisted (see https://example.net/help) (in reply to RCPT TO command)",
    );
  });

  it("reads orig_to, conn_use and tls fields", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<fwd1@example.org>, orig_to=<alias@example.com>, relay=mx.example.org[203.0.113.40]:25, conn_use=2, delay=0.9, delays=0.1/0/0.3/0.5, tls=may, dsn=2.0.0, status=sent (250 OK)`,
    ]);
    expect(eventsOf(events, "delivery")[0]).toMatchObject({
      recipient: "fwd1@example.org",
      originalRecipient: "alias@example.com",
      relayIp: "203.0.113.40",
      dsn: "2.0.0",
      status: "sent",
    });
  });

  it("reads an IPv6 relay", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<dana@example.org>, relay=mx6.example.org[2001:db8::25]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 OK)`,
    ]);
    expect(eventsOf(events, "delivery")[0]).toMatchObject({
      relayHost: "mx6.example.org",
      relayIp: "2001:db8::25",
    });
  });

  it("takes the server from a connection failure", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<erin@example.org>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.org[198.51.100.30]:25: Connection timed out)`,
    ]);
    expect(eventsOf(events, "delivery")[0]).toMatchObject({
      status: "deferred",
      remote: true,
      relayHost: "mx.example.org",
      relayIp: "198.51.100.30",
      response: "connect to mx.example.org[198.51.100.30]:25: Connection timed out",
    });
  });

  it("takes the port from a connection failure", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<erin@example.org>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to smtp.relay.example.net[192.0.2.50]:587: Connection refused)`,
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<fred@example.org>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.org[198.51.100.30]:25: Connection timed out)`,
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<gina@example.org>, relay=smtp.relay.example.net[192.0.2.50]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 91C2E)`,
    ]);
    const [refused, timedOut, sent] = eventsOf(events, "delivery");

    expect(refused?.relayHost).toBe("smtp.relay.example.net");
    expect(refused?.relayPort).toBe(587);
    expect(timedOut?.relayPort).toBe(25);
    expect(sent?.relayPort).toBe(587);
  });

  it("leaves the relay empty when the reason names no server", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2216]: 4B7E21C0A3: to=<frank@example.invalid>, relay=none, delay=0.1, delays=0.1/0/0/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=example.invalid type=MX: Host not found)`,
    ]);
    expect(eventsOf(events, "delivery")[0]).toMatchObject({
      remote: true,
      relayHost: null,
      relayIp: null,
      status: "bounced",
    });
  });

  it("marks local delivery agents as not remote", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/lmtp[2220]: 4B7E21C0A3: to=<alice@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <alice@example.com> Saved)`,
      `${HEAD} postfix/local[2221]: 4B7E21C0A3: to=root@mail.example.com, orig_to=postmaster@example.com, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`,
      `${HEAD} postfix/virtual[2222]: 4B7E21C0A3: to=<bob@example.com>, relay=virtual, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to maildir)`,
      `${HEAD} postfix/pipe[2223]: 4B7E21C0A3: to=<carol@example.com>, relay=dovecot, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via dovecot service)`,
      `${HEAD} postfix/error[2224]: 4B7E21C0A3: to=<dave@example.net>, relay=none, delay=0.1, delays=0/0/0/0, dsn=4.4.2, status=deferred (delivery temporarily suspended: lost connection with mx.example.net[198.51.100.25] while sending RCPT TO)`,
    ]);
    const deliveries = eventsOf(events, "delivery");
    expect(deliveries.map((event) => event.transport)).toEqual([
      "lmtp",
      "local",
      "virtual",
      "pipe",
      "error",
    ]);
    // The suspended deferral was meant for mx.example.net, so it is remote without an attempt.
    expect(deliveries.map((event) => event.remote)).toEqual([false, false, false, false, true]);
    expect(deliveries[4]?.withoutAttempt).toBe("suspended");
    expect(deliveries[0]).toMatchObject({ relayHost: "mail.example.com", relayIp: null });
    expect(deliveries[1]).toMatchObject({
      recipient: "root@mail.example.com",
      originalRecipient: "postmaster@example.com",
      relayHost: null,
    });
    expect(deliveries[4]).toMatchObject({ relayHost: "mx.example.net", relayIp: "198.51.100.25" });
  });

  it("marks retry and error lines as without attempt", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/retry[2230]: 4B7E21C0A3: to=<a@example.net>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.example.net[198.51.100.25]:25: Connection timed out)`,
      `${HEAD} postfix/retry[2230]: 4B7E21C0A3: to=<b@example.com>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:10024: Connection refused)`,
      `${HEAD} postfix/error[2231]: 4B7E21C0A3: to=<c@example.net>, relay=none, delay=1, delays=1/0/0/0, dsn=4.3.0, status=deferred (unknown mail transport error)`,
      `${HEAD} postfix/error[2231]: 4B7E21C0A3: to=<d@example.net>, relay=none, delay=1, delays=1/0/0/0, dsn=5.0.0, status=bounced (user has moved to new@example.org)`,
      `${HEAD} postfix/smtp[2232]: 4B7E21C0A3: to=<e@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
      `${HEAD} postfix/smtp[2232]: 4B7E21C0A3: to=<f@example.org>, relay=none, delay=1, delays=0/0/1/0, dsn=5.4.6, status=bounced (mail for example.org loops back to myself)`,
    ]);
    const deliveries = eventsOf(events, "delivery");

    expect(deliveries.map((event) => event.withoutAttempt)).toEqual([
      "suspended",
      "suspended",
      "mta",
      "policy",
      undefined,
      "mta",
    ]);
    expect(deliveries.map((event) => event.remote)).toEqual([
      true,
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(deliveries[0]).toMatchObject({ relayHost: "mx.example.net", relayIp: "198.51.100.25" });
  });

  it("does not count a loopback content filter as remote", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2225]: 4B7E21C0A3: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.5, delays=0.1/0/0/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok, id=1234, from MTA([127.0.0.1]:10025): 250 2.0.0 Ok: queued as 5C2A1)`,
    ]);
    expect(eventsOf(events, "delivery")[0]?.remote).toBe(false);
  });

  it("maps status words", () => {
    const statuses = ["sent", "deferred", "bounced", "expired", "deliverable", "undeliverable"];
    const { events } = runPostfix(
      statuses.map(
        (status, index) =>
          `${HEAD} postfix/smtp[2226]: 4B7E21C0A3: to=<user${index}@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=${status} (text)`,
      ),
    );
    expect(eventsOf(events, "delivery").map((event) => event.status)).toEqual([
      "sent",
      "deferred",
      "bounced",
      "expired",
      "other",
      "other",
    ]);
  });

  it("counts a truncated line as unparsed", () => {
    const { events, outcomes, parser } = runPostfix([
      `${HEAD} postfix/smtp[2227]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1.2, dela`,
      `${HEAD} postfix/smtp[2227]: 4B7E21C0A3: to=<bob@example.n`,
    ]);
    expect(outcomes).toEqual(["unparsed", "unparsed"]);
    expect(events).toEqual([]);
    expect(parser.openMessages).toBe(0);
  });

  it("sets firstAttempt per recipient", () => {
    const deferred = (recipient: string) =>
      `${HEAD} postfix/smtp[2228]: 4B7E21C0A3: to=<${recipient}>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.example.net[198.51.100.25] said: 451 4.7.1 Try later (in reply to RCPT TO command))`;
    const { events } = runPostfix([
      deferred("bob@example.net"),
      deferred("carol@example.net"),
      deferred("bob@example.net"),
      `${HEAD} postfix/smtp[2229]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)`,
      `${HEAD} postfix/smtp[2229]: 5C8F32D1B4: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)`,
    ]);
    expect(eventsOf(events, "delivery").map((event) => event.firstAttempt)).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
  });
});
