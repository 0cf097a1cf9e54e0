import { describe, expect, it } from "vitest";
import { checkMessage } from "../../src/auth/message.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const zone = `$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
`;

const unsigned = [
  "From: Sender <sender@example.com>",
  "To: someone@example.org",
  "Subject: No signature",
  "",
  "Hello.",
  "",
].join("\r\n");

describe("sample message check", () => {
  it("lists no signature when unsigned", async () => {
    const check = await checkMessage(
      Buffer.from(unsigned),
      "example.com",
      ["192.0.2.1"],
      null,
      zoneDns(zone),
    );

    expect(check.signatures).toEqual([]);
    expect(check.dmarc?.dkimAligned).toBe(false);
    expect(check.dmarc?.spfAligned).toBe(true);
    expect(check.dmarc?.result).toBe("pass");
  });
});
