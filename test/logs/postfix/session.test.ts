import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 11:20:40 mx1";

describe("Postfix session-level replies", () => {
  it("reads replies without a recipient", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtp[2501]: 4B7E21C0A3: host gmail-smtp-in.l.google.com[192.0.2.27] said: 421 4.7.0 Try again later, closing connection. (EHLO) a1si2 - gsmtp (in reply to EHLO command)`,
      `${HEAD} postfix/smtp[2502]: 4B7E21C0A3: host mx.example.org[198.51.100.28] refused to talk to me: 450 4.3.2 try again later`,
      `${HEAD} postfix/smtp[2503]: 4B7E21C0A3: lost connection with mx.example.net[198.51.100.18] while receiving the initial server greeting`,
      `${HEAD} postfix/smtp[2504]: 4B7E21C0A3: conversation with mx.example.com[198.51.100.22] timed out while receiving the initial server greeting`,
      `${HEAD} postfix/smtp[2505]: 4B7E21C0A3: SASL authentication failed; server relay.example.com[192.0.2.11] said: 535 5.7.8 Error: authentication failed`,
    ]);
    expect(outcomes).toEqual(new Array(5).fill("parsed"));
    const replies = eventsOf(events, "session-reply");
    expect(replies.map((event) => [event.relayHost, event.relayIp])).toEqual([
      ["gmail-smtp-in.l.google.com", "192.0.2.27"],
      ["mx.example.org", "198.51.100.28"],
      ["mx.example.net", "198.51.100.18"],
      ["mx.example.com", "198.51.100.22"],
      ["relay.example.com", "192.0.2.11"],
    ]);
    expect(replies[0]?.response).toBe(
      "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421 4.7.0 Try again later, closing connection. (EHLO) a1si2 - gsmtp (in reply to EHLO command)",
    );
    expect(replies[0]?.message?.id).toBe("4B7E21C0A3");
    expect(replies[1]?.message).toBe(replies[0]?.message);
    expect(eventsOf(events, "delivery")).toEqual([]);
  });
});

describe("Postfix outbound TLS", () => {
  it("reads each trust level", () => {
    const { events } = runPostfix(
      ["Trusted", "Untrusted", "Anonymous", "Verified"].map(
        (trust) =>
          `${HEAD} postfix/smtp[2510]: ${trust} TLS connection established to mx.example.org[198.51.100.20]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)`,
      ),
    );
    const sessions = eventsOf(events, "tls");
    expect(sessions).toHaveLength(4);
    expect(sessions[0]).toMatchObject({
      direction: "outbound",
      peerHost: "mx.example.org",
      peerIp: "198.51.100.20",
      protocol: "TLSv1.2",
    });
  });

  it("reads an IPv6 peer", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[2511]: Verified TLS connection established to mx6.example.org[2001:db8::3]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`,
    ]);
    expect(eventsOf(events, "tls")[0]).toMatchObject({
      peerIp: "2001:db8::3",
      protocol: "TLSv1.3",
    });
  });
});

describe("Postfix start and stop", () => {
  it("reads lifecycle lines", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/postfix-script[8063]: starting the Postfix mail system`,
      `${HEAD} postfix/master[8065]: daemon started -- version 3.6.4, configuration /etc/postfix`,
      `${HEAD} postfix/master[8065]: reload -- version 3.6.4, configuration /etc/postfix`,
      `${HEAD} postfix/master[8065]: terminating on signal 15`,
      `${HEAD} postfix/postfix-script[8070]: stopping the Postfix mail system`,
      `${HEAD} postfix/postfix-script[8071]: refreshing the Postfix mail system`,
    ]);
    expect(eventsOf(events, "lifecycle").map((event) => [event.action, event.version])).toEqual([
      ["start", null],
      ["start", "3.6.4"],
      ["reload", "3.6.4"],
      ["stop", null],
      ["stop", null],
      ["reload", null],
    ]);
  });

  it("keeps the instance tag of a start", () => {
    const { events } = runPostfix([
      `${HEAD} postfix-out/master[8065]: daemon started -- version 3.7.11, configuration /etc/postfix-out`,
      `${HEAD} postfix/master[8066]: daemon started -- version 3.7.11, configuration /etc/postfix`,
    ]);
    const programs = eventsOf(events, "lifecycle").map((event) => event.program);

    expect(programs).toEqual(["postfix-out/master", "postfix/master"]);
  });
});

describe("Postfix command lines", () => {
  it("reads fatal start errors", () => {
    const { events, outcomes, parser } = runPostfix([
      `${HEAD} postfix[3281]: fatal: open /etc/postfix/main.cf: No such file or directory`,
      `${HEAD} postfix[3651]: fatal: file /etc/postfix/main.cf: parameter mail_owner: unknown user name value: postfix12`,
      `${HEAD} postfix[3871]: fatal: config variable inet_interfaces: host not found: llocalhost`,
    ]);

    expect(parser.accepts("postfix")).toBe(true);
    expect(outcomes).toEqual(["parsed", "parsed", "parsed"]);
    const failures = eventsOf(events, "fatal-error");
    expect(failures.map((event) => event.text)).toEqual([
      "fatal: open /etc/postfix/main.cf: No such file or directory",
      "fatal: file /etc/postfix/main.cf: parameter mail_owner: unknown user name value: postfix12",
      "fatal: config variable inet_interfaces: host not found: llocalhost",
    ]);
    expect(failures.map((event) => event.position.line)).toEqual([1, 2, 3]);
    expect(failures.every((event) => event.mta === "postfix")).toBe(true);
  });

  it("reads fatal lines of daemons", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/master[4710]: fatal: bind 0.0.0.0 port 25: Address already in use`,
      `${HEAD} postfix/postfix-script[4712]: fatal: mail system startup failed`,
      `${HEAD} postfix/smtp[2156]: fatal: unknown service: private/dovecot-lmtp/tcp`,
      `${HEAD} postfix-out/qmgr[2157]: fatal: open lock file pid/master.pid: Permission denied`,
    ]);

    expect(outcomes).toEqual(["parsed", "parsed", "parsed", "parsed"]);
    expect(eventsOf(events, "fatal-error")).toHaveLength(4);
  });

  it("leaves out fatal lines of commands", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/sendmail[3072]: fatal: Recipient addresses must be specified on the command line or via the -t option`,
      `${HEAD} postfix/postqueue[3073]: fatal: Queue report unavailable - mail system is down`,
      `${HEAD} postfix/postfix-script[3074]: fatal: usage: postfix start (or stop, reload, abort, flush, check, status, set-permissions, upgrade-configuration)`,
      `${HEAD} postfix/postfix-script[3075]: fatal: the Postfix mail system is already running`,
      `${HEAD} postfix/postfix-script[3076]: fatal: the Postfix mail system is not running`,
    ]);

    expect(outcomes).toEqual(["ignored", "ignored", "ignored", "ignored", "ignored"]);
    expect(events).toEqual([]);
  });
});

describe("Postfix multi-instance tags", () => {
  it("uses the last tag component as the service", () => {
    const { events, parser } = runPostfix([
      "Mar  4 09:15:03 mx1 postfix-mta2/submission/smtpd[2211]: 4B7E21C0A3: client=unknown[198.51.100.7], sasl_method=PLAIN, sasl_username=bob@example.com",
      "Mar  4 09:15:03 mx1 postfix-mta2/qmgr[901]: 4B7E21C0A3: from=<bob@example.com>, size=4312, nrcpt=1 (queue active)",
      "Mar  4 09:15:04 mx1 postfix-out/smtp[2215]: 4B7E21C0A3: to=<carol@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
      "Mar  4 09:15:04 mx1 postfix/relay/smtp[2216]: 4B7E21C0A3: to=<dave@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    ]);
    expect(eventsOf(events, "message")[0]?.message.service).toBe("postfix-mta2/submission/smtpd");
    const deliveries = eventsOf(events, "delivery");
    expect(deliveries.map((event) => [event.transport, event.remote])).toEqual([
      ["smtp", true],
      ["smtp", true],
    ]);
    expect(parser.accepts("postfix/submission/smtpd")).toBe(true);
    expect(parser.accepts("postfix-out/smtp")).toBe(true);
    expect(parser.accepts("postfixadmin")).toBe(false);
    expect(parser.accepts("dovecot")).toBe(false);
  });
});
