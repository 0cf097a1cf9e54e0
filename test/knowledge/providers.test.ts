import { describe, expect, it } from "vitest";
import { detectProvider, providerOfRelay } from "../../src/knowledge/providers.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

describe("detectProvider Google MX", () => {
  it.each([
    ["gmail-smtp-in.l.google.com", null, "gmail"],
    ["alt2.gmail-smtp-in.l.google.com.", null, "gmail"],
    ["gmail-smtp-in.l.google.com", "user1@gmail.com", "gmail"],
    ["gmail-smtp-in.l.google.com", "user1@example.com", "google-workspace"],
    ["aspmx.l.google.com", null, "google-workspace"],
    ["alt1.aspmx.l.google.com", "user1@example.com", "google-workspace"],
    ["alt1.aspmx.l.google.com", "user1@googlemail.com", "gmail"],
    ["smtp.google.com", null, "google-workspace"],
  ] as const)("%s with recipient %s is %s", (relay, recipient, provider) => {
    expect(detectProvider(relay, recipient)).toBe(provider);
  });
});

describe("providerOfRelay Google and Microsoft hosts", () => {
  it.each([
    ["smtp-relay.gmail.com", "google-workspace"],
    ["smtp-relay.gmail.com.", "google-workspace"],
    ["smtp.gmail.com", "gmail"],
    ["smtp.googlemail.com", "gmail"],
    ["example-net.o-v1.mx.microsoft", "exchange-online"],
    ["example-net.o-v1.mx.microsoft.", "exchange-online"],
    ["example-com.mail.protection.outlook.com", "exchange-online"],
    ["example-com.mail.eo.outlook.com", "exchange-online"],
    ["smtp.office365.com", "exchange-online"],
    ["hotmail-com.olc.protection.outlook.com", "outlook"],
    ["smtp-mail.outlook.com", "outlook"],
    ["mx1.hotmail.com", "outlook"],
    ["smtp.live.com", "outlook"],
  ] as const)("%s is %s", (host, provider) => {
    expect(providerOfRelay(host)).toBe(provider);
  });

  it.each([
    "mx.microsoft.example.net",
    "gmail.com.example.net",
    "smtp-relay.gmail.com.example.net",
    "mail.example-microsoft.com",
  ])("%s is no provider's host", (host) => {
    expect(providerOfRelay(host)).toBeNull();
  });
});

describe("reply from Google MX without recipient", () => {
  const classifier = createReplyClassifier();
  const reply =
    "host gmail-smtp-in.l.google.com[192.0.2.204] said: 421-4.7.29 Your email has been rate " +
    "limited because this message wasn't sent over a TLS connection. 421 4.7.29 a1si1.2 - gsmtp " +
    "(in reply to end of DATA command)";

  it("names Gmail for the host in the text", () => {
    expect(classifier.explain(reply).provider).toBe("gmail");
  });

  it("names Gmail for the relay hint", () => {
    expect(
      classifier.explain("421 4.7.29 rate limited, not sent over TLS", {
        relayHost: "gmail-smtp-in.l.google.com",
      }).provider,
    ).toBe("gmail");
  });

  it("names Workspace for a company recipient", () => {
    expect(classifier.explain(`to=<user1@example.com>, status=deferred (${reply})`).provider).toBe(
      "google-workspace",
    );
  });
});
