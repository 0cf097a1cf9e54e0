import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";

const OPEN_RESOLVER =
  "554 5.7.1 Service unavailable; Client host [192.0.2.98] blocked using zen.spamhaus.org; " +
  "Error: open resolver; https://check.spamhaus.org/returnc/pub/192.0.2.210";

describe("common wordings", () => {
  const classifier = createReplyClassifier();

  it("reads a refused DNSBL query apart from a listing", () => {
    const reply = classifier.explain(OPEN_RESOLVER);
    expect(reply.ruleId).toBe("generic.dnsbl-query-refused");
    expect(reply.category).not.toBe("blocklist");
    expect(reply.findings).not.toContain("ip-blocklisted");
    expect(reply.fix[0]).toContain("tell their postmaster");
    expect(reply.fix.join(" ")).not.toMatch(/request delisting there/);
  });

  it.each([
    "550 5.7.1 Client host [192.0.2.98] blocked using zen.spamhaus.org; Error: excessive number of queries",
    "554 Rejected: 192.0.2.98 listed at zen.spamhaus.org (127.255.255.254)",
    "554 5.7.1 Client host blocked using zen.spamhaus.org; https://www.spamhaus.org/returnc/vol/192.0.2.210",
  ])("reads other Spamhaus errors as refused: %s", (text) => {
    expect(classifier.explain(text).ruleId).toBe("generic.dnsbl-query-refused");
  });

  it("keeps a real Spamhaus listing a listing", () => {
    const reply = classifier.explain(
      "554 5.7.1 Service unavailable; Client host [192.0.2.98] blocked using zen.spamhaus.org; " +
        "https://www.spamhaus.org/query/ip/192.0.2.98",
    );
    expect(reply.ruleId).toBe("generic.named-blocklist");
    expect(reply.findings).toContain("ip-blocklisted");
  });

  it.each([
    ["554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam.", "generic.spam-verdict"],
    ["554 5.7.1 Message rejected due to spam content", "generic.spam-verdict"],
    ["550 This message scored 12.3 spam points.", "generic.spam-verdict"],
    ["550 Unrouteable address", "generic.unrouteable-address"],
    ["451 Sender rate overlimit - 120.0 / 1h / user2@example.com", "generic.rate-limit"],
    [
      "450 4.7.1 <mail.example.com>: Helo command rejected: Host not found",
      "generic.helo-host-not-found",
    ],
  ])("recognises %s", (text, ruleId) => {
    const reply = classifier.explain(text);
    expect(reply.ruleId).toBe(ruleId);
    expect(reply.category).not.toBe("unknown");
  });

  it("sends a local blocklist to the receiver", () => {
    const reply = classifier.explain(
      "550 5.7.1 Your IP 192.0.2.54 is listed in our local blocklist rbl.example.net. " +
        "Contact postmaster@example.net",
    );
    expect(reply.ruleId).toBe("generic.local-blocklist");
    expect(reply.findings).toContain("ip-blocklisted");
    expect(reply.fix.join(" ")).toContain("receiver's postmaster");
    expect(reply.fix.join(" ")).not.toMatch(/request delisting there/);
  });

  it.each([
    ["554 Rejected: spam detected", "content"],
    ["554 5.7.1 Rejected: spam detected", "content"],
    ["<<< 554 5.7.1 Rejected: spam detected", "content"],
    ["554 5.7.1 Message rejected because it contains a virus", "content"],
    [
      "550 5.7.1 Sender domain example.org does not designate 192.0.2.10 as permitted sender",
      "authentication",
    ],
    ["550 5.7.1 Message rejected: Sender Policy Framework check failed", "authentication"],
  ])("gives %s its category", (text, category) => {
    const reply = classifier.explain(text);
    expect(reply.category).toBe(category);
    expect(reply.ruleId).not.toBe("generic.policy");
  });

  it.each([
    "452 Too many recipients received from the sender",
    "452 4.5.3 Error: too many recipients",
    "host h528.d572.example[198.18.2.148] said: 452 Too many recipients received from the " +
      "sender (in reply to RCPT TO command)",
  ])("reads a recipient limit apart from a rate limit: %s", (text) => {
    const reply = classifier.explain(text);
    const fix = reply.fix.join(" ");
    expect(reply.ruleId).toBe("generic.recipient-limit");
    expect(reply.category).toBe("rate-limit");
    expect(reply.findings).toEqual([]);
    expect(fix).toContain("smtp_destination_recipient_limit");
    expect(fix).toContain("transport of its own");
    expect(fix).toContain("max_rcpt");
    expect(fix).toContain("SMTP_MAILER_MAXRCPTS");
    expect(fix).not.toMatch(/^Send more slowly/);
  });

  it("keeps a recipient's receiving rate a rate limit", () => {
    const reply = classifier.explain(
      "450 4.2.1 <user1@example.net>: Recipient is receiving mail too quickly",
    );
    expect(reply.ruleId).toBe("generic.rate-limit");
  });

  it("advises a virus scan, not a spam review", () => {
    const reply = classifier.explain("554 5.7.1 Message rejected because it contains a virus");
    expect(reply.ruleId).toBe("generic.virus");
    expect(reply.fix.join(" ")).toMatch(/scan/i);
  });

  it("advises an SPF record for an SPF failure", () => {
    const reply = classifier.explain(
      "550 5.7.1 Sender domain example.org does not designate 192.0.2.10 as permitted sender",
    );
    expect(reply.ruleId).toBe("generic.spf-dkim");
    expect(reply.findings).toContain("authentication");
  });

  it.each([
    "554 5.7.1 <unknown[192.0.2.55]>: Client host rejected: Access denied",
    "550 Administrative prohibition",
  ])("sends an access list to the receiver: %s", (text) => {
    const reply = classifier.explain(text);
    expect(reply.ruleId).toBe("generic.receiver-access-list");
    expect(reply.category).toBe("recipient-policy");
    expect(reply.fix.join(" ")).toContain("receiver's postmaster");
  });

  it("asks for a fully qualified HELO name", () => {
    const reply = classifier.explain(
      "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
    );
    expect(reply.ruleId).toBe("generic.helo-not-fqdn");
    expect(reply.category).toBe("reverse-dns");
    expect(reply.fix.join(" ")).toContain("smtp_helo_name");
    expect(reply.fix.join(" ")).toContain("helo_data");
  });

  it("reads SendAsDenied as a sender problem", () => {
    const reply = classifier.explain(
      "554 5.2.252 SendAsDenied; user@example.com not allowed to send as other@example.org; " +
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
      { relayHost: "smtp.office365.com" },
    );
    expect(reply.ruleId).toBe("generic.send-as-denied");
    expect(reply.category).toBe("sender-account");
    expect(reply.findings).not.toContain("unknown-recipients");
  });

  it.each([
    [
      "554 5.7.1 Service unavailable; Client host [192.0.2.55] blocked using rbl.mx.example.net",
      { relayHost: "mx.example.net" },
    ],
    [
      "host mx.example.net[192.0.2.220] said: 554 5.7.1 Service unavailable; Client host " +
        "[192.0.2.55] blocked using dnsbl.example.net (in reply to RCPT TO command)",
      {},
    ],
  ])("reads a receiver's own DNSBL zone: %s", (text, hints) => {
    const reply = classifier.explain(text, hints);
    expect(reply.ruleId).toBe("generic.local-blocklist");
    expect(reply.findings).toContain("ip-blocklisted");
    expect(reply.fix.join(" ")).toContain("receiver's postmaster");
    expect(reply.fix.join(" ")).not.toMatch(/request delisting there/);
  });

  it("keeps a zone of another domain public", () => {
    const text =
      "554 5.7.1 Service unavailable; Client host [192.0.2.55] blocked using rbl.example.net";
    const own = classifier.explain(text, { relayHost: "mx.example.net" });
    const other = classifier.explain(text, { relayHost: "mx.example.org" });
    expect(own.ruleId).toBe("generic.local-blocklist");
    expect(other.ruleId).toBe("generic.named-blocklist");
    expect(other.fix.join(" ")).toMatch(/request delisting there/);
  });

  it("reads T-Online's (BL) reply", () => {
    const reply = classifier.explain(
      "554 IP=192.0.2.44 - A problem occurred. (Ask your postmaster for help or to contact " +
        "tosa@rx.t-online.de to clarify.) (BL)",
    );
    expect(reply.provider).toBe("t-online");
    expect(reply.ruleId).toBe("t-online.blocked");
    expect(reply.findings).toContain("ip-blocklisted");
  });

  it("reads T-Online's (RDNS) reply", () => {
    const reply = classifier.explain(
      "550 5.7.1 Sender address rejected: IP=192.0.2.45 - Sender not allowed, no valid " +
        "reverse DNS name. (RDNS)",
    );
    expect(reply.provider).toBe("t-online");
    expect(reply.ruleId).toBe("t-online.no-reverse-dns");
    expect(reply.category).toBe("reverse-dns");
  });

  it("names T-Online from its MX host", () => {
    const reply = classifier.explain("550 5.7.1 Mail rejected", {
      relayHost: "mx00.t-online.de",
    });
    expect(reply.provider).toBe("t-online");
  });

  it("reads Gmail's PTR wording without a code as permanent", () => {
    const reply = classifier.explain(
      "The IP address sending this message does not have a PTR record setup, or the " +
        "corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail " +
        "does not accept messages from IPs with missing PTR records. - gsmtp",
    );
    expect(reply.ruleId).toBe("gmail.ptr-missing");
    expect(reply.permanent).toBe(true);
  });

  it("keeps Gmail's 421 PTR reply a rate limit", () => {
    const reply = classifier.explain(
      "421-4.7.0 [192.0.2.10] The IP address sending this message does not have a PTR record " +
        "setup. To protect our users from spam, mail sent from your IP address has been " +
        "temporarily rate limited. - gsmtp",
    );
    expect(reply.ruleId).toBe("gmail.ptr-rate-limit");
    expect(reply.permanent).toBe(false);
  });
  it("names Gmail's rate limit for 4.7.28 alone", () => {
    const reply = classifier.explain("4.7.28");

    expect(reply.ruleId).toBe("generic.mail-flood");
    expect(reply.provider).toBeNull();
    expect(reply.summary).toContain("mail flood");
    expect(reply.summary).toContain("Gmail");
    expect(reply.findings).toEqual(["rate-limited"]);
  });

  it("keeps Gmail's own rule for its 4.7.28 wording", () => {
    const reply = classifier.explain(
      "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address.",
    );

    expect(reply.ruleId).toBe("gmail.ip-rate-limit");
  });

  it("reads another receiver's 4.7.28 as a flood limit", () => {
    const reply = classifier.explain("451 4.7.28 flood policy violation", {
      relayHost: "mx.example.net",
      recipient: "user@example.net",
    });

    expect(reply.ruleId).toBe("generic.mail-flood");
    expect(reply.permanent).toBe(false);
  });
});

describe("reputation wordings of unknown receivers", () => {
  const classifier = createReplyClassifier();
  const limit =
    "host mx.example.net[192.0.2.70] said: 554 5.2.0 IP reputation ratelimit in effect " +
    "(in reply to RCPT TO command)";

  it("prefers reputation limit over 5.2.0", () => {
    const reply = classifier.explain(limit);
    expect(reply.ruleId).toBe("generic.reputation-rate-limit");
    expect(reply.category).toBe("reputation");
    expect(reply.findings).toEqual(["rate-limited"]);
    expect(reply.permanent).toBe(true);
  });

  it("reads the same limit without its codes", () => {
    const reply = classifier.explain("IP reputation ratelimit in effect");
    expect(reply.ruleId).toBe("generic.reputation-rate-limit");
    expect(reply.permanenceSource).toBeNull();
  });

  it.each([
    "451 4.7.1 Rate limited because of the sender reputation of your IP",
    "421 Your IP reputation is being throttled, try again later",
  ])("reads other reputation limits: %s", (text) => {
    expect(classifier.explain(text).ruleId).toBe("generic.reputation-rate-limit");
  });

  it.each([
    "550 5.7.1 Rejected due to poor reputation of the sending IP",
    "554 5.7.1 Your IP reputation is too low",
  ])("reads a reputation refusal: %s", (text) => {
    const reply = classifier.explain(text);
    expect(reply.ruleId).toBe("generic.reputation");
    expect(reply.category).toBe("reputation");
  });

  it("keeps a named blocklist ahead of reputation words", () => {
    const reply = classifier.explain(
      "554 5.7.1 Client host [192.0.2.98] blocked using zen.spamhaus.org for poor reputation",
    );
    expect(reply.ruleId).toBe("generic.named-blocklist");
  });

  it("keeps a plain limit a rate limit", () => {
    expect(classifier.explain("421 4.7.0 Too many connections").ruleId).toBe("generic.rate-limit");
  });
});
