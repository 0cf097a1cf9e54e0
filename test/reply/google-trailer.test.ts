import { describe, expect, it } from "vitest";
import { parseReply } from "../../src/reply/parse.js";

describe("Google's transaction trailer", () => {
  it("drops the transaction id before - gsmtp", () => {
    const reply = parseReply(
      "550 5.7.1 Gmail has detected spam. d75a77b69052e-4b2a1c2e3d4si1234qtb.12 - gsmtp",
    );
    expect(reply.text).toBe("Gmail has detected spam.");
  });

  it("keeps the last word of a reply whose id was lost", () => {
    const reply = parseReply(
      "550-5.7.1 [192.0.2.5 12] Gmail has detected that this message is likely unsolicited mail. - gsmtp",
    );
    expect(reply.text).toMatch(/likely unsolicited mail\.$/);
  });

  it("drops a gcdp session id with the transaction id", () => {
    const reply = parseReply(
      "550 5.7.1 Blocked by the domain's admin. - gcdp a1b2c3si99.4 q1si2.3 - gsmtp",
    );
    expect(reply.text).toBe("Blocked by the domain's admin.");
  });
});
