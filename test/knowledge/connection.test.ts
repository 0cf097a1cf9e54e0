import { describe, expect, it } from "vitest";
import { connectionFailureRule } from "../../src/knowledge/rules/connection.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";

/** Texts as Postfix, Exim and Sendmail log them, with the rule each must match. */
const WORDINGS: ReadonlyArray<readonly [string, string]> = [
  [
    "connect to gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out",
    "generic.connect-timed-out",
  ],
  [
    "delivery temporarily suspended: connect to mx.example.net[198.51.100.25]:25: Connection timed out",
    "generic.connect-timed-out",
  ],
  ["connect to mx.example.net[198.51.100.25]:25: Connection refused", "generic.connect-refused"],
  ["connect to mx.example.net[198.51.100.25]:25: No route to host", "generic.no-route-to-host"],
  [
    "connect to gmail-smtp-in.l.google.com[2001:db8::1b]:25: Network is unreachable",
    "generic.network-unreachable",
  ],
  [
    "lost connection with gmail-smtp-in.l.google.com[192.0.2.27] while receiving the initial server greeting",
    "generic.no-greeting",
  ],
  [
    "conversation with mx.example.net[198.51.100.25] timed out while receiving the initial server greeting",
    "generic.no-greeting",
  ],
  [
    "conversation with mx.example.net[198.51.100.25] timed out while sending message body",
    "generic.conversation-timed-out",
  ],
  ["defer (110): Connection timed out", "generic.connect-timed-out"],
  ["Connection timed out", "generic.connect-timed-out"],
  ["defer (111): Connection refused", "generic.connect-refused"],
  ["defer (113): No route to host", "generic.no-route-to-host"],
  ["defer (101): Network is unreachable", "generic.network-unreachable"],
  [
    "gmail-smtp-in.l.google.com [2001:db8::1] Network is unreachable",
    "generic.network-unreachable",
  ],
  [
    "defer (-18) H=mx.example.net [198.51.100.25]: Remote host closed connection in response to initial connection",
    "generic.no-greeting",
  ],
  ["defer (-53): retry time not reached for any host", "generic.retry-time-not-reached"],
  ["Deferred: Connection timed out with gmail-smtp-in.l.google.com.", "generic.connect-timed-out"],
  ["Deferred: Connection refused by mx.example.net.", "generic.connect-refused"],
];

describe("connection failure rules", () => {
  const classifier = createReplyClassifier();

  it.each(WORDINGS)("classifies %s", (text, ruleId) => {
    const reply = classifier.explain(text);
    expect(reply.ruleId).toBe(ruleId);
    expect(reply.category).toBe("transient");
    expect(reply.permanent).toBe(false);
    expect(reply.findings).toEqual([]);
  });

  it("finds a lost greeting that a DSN rule takes", () => {
    const reply = classifier.explain(
      "lost connection with gmail-smtp-in.l.google.com[192.0.2.27] while receiving the initial server greeting",
      { dsn: "4.4.2", relayHost: "gmail-smtp-in.l.google.com" },
    );
    expect(reply.ruleId).not.toBe("generic.no-greeting");
    expect(
      connectionFailureRule(
        "lost connection with gmail-smtp-in.l.google.com[192.0.2.27] while receiving the initial server greeting",
      )?.id,
    ).toBe("generic.no-greeting");
  });

  it("leaves receiver replies to other rules", () => {
    const reply = classifier.explain("421 4.4.2 Connection timed out");
    expect(reply.ruleId).not.toBe("generic.connect-timed-out");
    expect(
      connectionFailureRule(
        "host mx.example.net[198.51.100.25] said: 421 4.4.2 Connection timed out (in reply to RCPT TO command)",
      ),
    ).toBeNull();
  });

  it("does not count retry time not reached", () => {
    expect(connectionFailureRule("retry time not reached for any host")).toBeNull();
  });

  it.each([
    [
      "Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again",
      "generic.dns-lookup-failed",
      "transient",
    ],
    [
      "Deferred: Name server: example.com.: host name lookup failure",
      "generic.dns-lookup-failed",
      "transient",
    ],
    [
      "Host or domain name not found. Name service error for name=example.invalid type=A: Host not found",
      "generic.domain-not-found",
      "recipient",
    ],
    [
      "Host unknown (Name server: example.invalid: host not found)",
      "generic.domain-not-found",
      "recipient",
    ],
  ])(
    "explains the DNS failure %s without counting it as a connection",
    (text, ruleId, category) => {
      const reply = classifier.explain(text);
      expect(reply.ruleId).toBe(ruleId);
      expect(reply.category).toBe(category);
      expect(connectionFailureRule(text)).toBeNull();
    },
  );

  it("explains a connection timeout on the command line", async () => {
    const result = await runCommand([
      "explain",
      "--format",
      "json",
      "connect to gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out",
    ]);
    const json = JSON.parse(result.stdout) as { ruleId: string; fix: string[] };
    expect(json.ruleId).toBe("generic.connect-timed-out");
    expect(json.fix.some((step) => step.includes("nc -vz"))).toBe(true);
    expect(json.fix.some((step) => step.includes("port 25"))).toBe(true);
  });
});
