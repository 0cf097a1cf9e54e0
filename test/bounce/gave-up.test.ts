import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import * as mta from "./mta-fixtures.js";

async function decodeOne(raw: string): Promise<BounceResult> {
  const { results } = await decodeMessage(raw, "test.eml", createReplyClassifier());
  expect(results).toHaveLength(1);
  const [result] = results;
  if (result === undefined) throw new Error("no result");
  return result;
}

// Gmail's DSN for a recipient domain that does not exist: Action failed, Status 4.0.0.
const NXDOMAIN_DIAGNOSTIC =
  "DNS Error: 12345678 DNS type 'mx' lookup of example.invalid responded with code NXDOMAIN " +
  "Domain name not found: example.invalid";

describe("recipients the sender gave up on", () => {
  it("reads a failed 4.0.0 NXDOMAIN as permanent", async () => {
    const result = await decodeOne(mta.plainDsn(NXDOMAIN_DIAGNOSTIC, "4.0.0", null));
    expect(result.action).toBe("failed");
    expect(result.permanent).toBe(true);
    // The reason stays Sisimai's networkerror, whose agreement the corpus suite measures; the
    // category states that the domain does not exist.
    expect(result.reason).toBe("networkerror");
    expect(result.category).toBe("recipient");
  });

  it("reads any failed DSN recipient as permanent", async () => {
    const result = await decodeOne(
      mta.plainDsn("451 4.3.0 Temporary local problem, please try later", "4.3.0"),
    );
    expect(result.action).toBe("failed");
    expect(result.permanent).toBe(true);
  });

  it("keeps a delayed DNS error temporary", async () => {
    const delayed = mta
      .plainDsn(NXDOMAIN_DIAGNOSTIC, "4.0.0", null)
      .replace("Action: failed", "Action: delayed");
    const result = await decodeOne(delayed);
    expect(result.action).toBe("delayed");
    expect(result.permanent).toBe(false);
    expect(result.hardBounce).toBe(false);
  });

  it("reads OpenSMTPD's Envelope expired as expired", async () => {
    const expired = mta.OPENSMTPD_DELAY.replace(
      "user22@example.net: No MX found for domain",
      "user22@example.net: Envelope expired",
    );
    const result = await decodeOne(expired);
    expect(result.reason).toBe("expired");
  });
});

describe("receiver codes in the reply", () => {
  it("reads Cox's AUP#CDRBL as blocked", async () => {
    const result = await decodeOne(
      mta.plainDsn(
        "550 5.1.0 <sender@example.com> sender rejected. Refer to the error codes page. AUP#CDRBL",
        "5.1.0",
      ),
    );
    expect(result.reason).toBe("blocked");
  });

  it("reads Mimecast's spam signature as spam", async () => {
    const result = await decodeOne(
      mta.plainDsn("554 email rejected due to security policies - MCSpamSignature.sa.2.2"),
    );
    expect(result.reason).toBe("spamdetected");
  });
});
