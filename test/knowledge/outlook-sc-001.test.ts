import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";

// Outlook.com's SC-001 policy rejection in our own words, once with the reason that some
// replies name. The sending server is 192.0.2.1.
const SC_001 = "550 SC-001 (BAY004-MC1F6) Unfortunately, messages from 192.0.2.1 weren't sent.";
const SC_001_DYNAMIC =
  "550 SC-001 (DB5EUR03FT001) Unfortunately, messages from 192.0.2.1 weren't sent. Please " +
  "contact your Internet service provider. You can tell them that Hotmail does not relay " +
  "dynamically-assigned IP ranges. You can also refer your provider to " +
  "http://mail.live.com/mail/troubleshooting.aspx#errors.";

describe("Outlook.com SC-001", () => {
  it("files SC-001 under reputation", () => {
    const reply = createReplyClassifier().explain(SC_001);
    expect(reply.ruleId).toBe("outlook.policy-rejection");
    expect(reply.provider).toBe("outlook");
    expect(reply.category).toBe("reputation");
    expect(reply.permanent).toBe(true);
    expect(reply.fix[0]).toContain("SNDS");
  });

  it("advises a relay for dynamic ranges", () => {
    const reply = createReplyClassifier().explain(SC_001_DYNAMIC);
    expect(reply.ruleId).toBe("outlook.policy-dynamic-range");
    expect(reply.category).toBe("reputation");
    expect(reply.summary).toContain("dynamically assigned");
    expect(reply.fix[0]).toBe("Send through a relay with a static, reputable IP.");
  });

  it("prints reputation in JSON", async () => {
    const result = await runCommand(["explain", "-f", "json", SC_001_DYNAMIC]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["category"]).toBe("reputation");
    expect(output["ruleId"]).toBe("outlook.policy-dynamic-range");
    expect(output["provider"]).toBe("outlook");
  });
});
