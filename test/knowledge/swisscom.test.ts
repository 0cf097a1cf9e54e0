import { describe, expect, it } from "vitest";
import { detectProvider } from "../../src/knowledge/providers.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

// Our own text in the form of Swisscom's reply.
const LIMIT = "554 5.2.0 sc123: IP reputation ratelimit in effect - http://www.swisscom.ch/bounce";

describe("Swisscom IP reputation limit", () => {
  const classifier = createReplyClassifier();

  it("reads the Postfix line from Bluewin's MX", () => {
    const reply = classifier.explain(
      `host mxbw.bluewin.ch[192.0.2.70] said: ${LIMIT} (in reply to RCPT TO command)`,
    );
    expect(reply.ruleId).toBe("swisscom.ip-reputation-rate-limit");
    expect(reply.provider).toBe("swisscom");
    expect(reply.category).toBe("reputation");
    expect(reply.findings).toEqual(["rate-limited"]);
    expect(reply.permanent).toBe(true);
  });

  it("reads the reply without a host", () => {
    const reply = classifier.explain(LIMIT);
    expect(reply.ruleId).toBe("swisscom.ip-reputation-rate-limit");
    expect(reply.provider).toBe("swisscom");
  });

  it("reads the reply without codes as permanent", () => {
    const reply = classifier.explain(LIMIT.slice("554 5.2.0 ".length));
    expect(reply.replyCode).toBeNull();
    expect(reply.ruleId).toBe("swisscom.ip-reputation-rate-limit");
    expect(reply.permanent).toBe(true);
    expect(reply.permanenceSource).toBe("rule");
  });

  it("leaves other hosts to the generic rule", () => {
    const withoutLink = LIMIT.slice(0, LIMIT.indexOf(" - http"));
    const reply = classifier.explain(withoutLink, { relayHost: "mx.example.net" });
    expect(reply.ruleId).toBe("generic.reputation-rate-limit");
    expect(reply.provider).toBeNull();
  });

  it.each([
    ["mxbw.bluewin.ch", null, "swisscom"],
    [null, "user1@bluewin.ch", "swisscom"],
    ["mx.bluewin.ch.example.net", null, "other"],
  ] as const)("detects %s with recipient %s as %s", (relay, recipient, provider) => {
    expect(detectProvider(relay, recipient)).toBe(provider);
  });
});
