import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { decideReason } from "../../src/bounce/reason/decide.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { ALL_RULES } from "../../src/knowledge/rules/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import * as mta from "./mta-fixtures.js";

// Rules of the `reverse-dns` category that do not mean a missing or mismatched PTR record:
// HELO names, a reverse lookup that failed for a while, and Gmail's IPv6 refusal, which names
// PTR records and authentication together.
const OTHER_REVERSE_DNS_RULES = [
  "comcast.rdns-failure",
  "generic.helo-host-not-found",
  "generic.helo-not-fqdn",
  "gmail.ipv6-guidelines",
  "icloud.helo-unresolvable",
];

const PTR_RULE_IDS = ALL_RULES.filter(
  (rule) => rule.category === "reverse-dns" && !OTHER_REVERSE_DNS_RULES.includes(rule.id),
).map((rule) => rule.id);

const T_ONLINE_RDNS =
  "554 IP=192.0.2.10 - A problem occurred. (Ask your postmaster for help or to contact " +
  "tosa@rx.t-online.de to clarify.) (RDNS)";

async function decodeOne(raw: string): Promise<BounceResult | undefined> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results[0];
}

describe("reason of missing PTR rules", () => {
  it("covers every reverse-dns rule", () => {
    // A new reverse-dns rule fails here until it is added to MISSING_PTR_RULES in decide.ts
    // or to OTHER_REVERSE_DNS_RULES above.
    expect(PTR_RULE_IDS.sort()).toEqual([
      "comcast.ptr-required",
      "exchange-online.ipv6-ptr",
      "generic.ptr",
      "generic.reverse-dns",
      "gmail.ptr-missing",
      "gmail.ptr-rate-limit",
      "gmx.bad-ptr",
      "gmx.bad-ptr-case",
      "t-online.no-reverse-dns",
    ]);
  });

  it.each(PTR_RULE_IDS)("%s beats block wording", (ruleId) => {
    const reason = decideReason({
      formatReason: null,
      status: "5.0.0",
      replyCode: 554,
      text: T_ONLINE_RDNS,
      command: null,
      action: "failed",
      ruleId,
      category: "reverse-dns",
      knownProvider: false,
    });
    expect(reason).toBe("requireptr");
  });

  it.each(PTR_RULE_IDS)("%s beats an SPF status code", (ruleId) => {
    const reason = decideReason({
      formatReason: null,
      status: "4.7.23",
      replyCode: 451,
      text: "451 4.7.23 The sending IP does not have a PTR record",
      command: "rcpt",
      action: "delayed",
      ruleId,
      category: "reverse-dns",
      knownProvider: true,
    });
    expect(reason).toBe("requireptr");
  });
});

describe("bounce reason of PTR refusals", () => {
  it("gives T-Online's RDNS refusal requireptr", async () => {
    const result = await decodeOne(mta.plainDsn(T_ONLINE_RDNS, "5.0.0", "mx00.t-online.de"));
    expect(result?.ruleId).toBe("t-online.no-reverse-dns");
    expect(result?.reason).toBe("requireptr");
  });

  it("gives T-Online's RDNS requireptr without Remote-MTA", async () => {
    const result = await decodeOne(mta.plainDsn(T_ONLINE_RDNS, "5.0.0", null));
    expect(result?.ruleId).toBe("t-online.no-reverse-dns");
    expect(result?.reason).toBe("requireptr");
  });

  it("gives GMX's PTR refusal the same reason", async () => {
    const result = await decodeOne(
      mta.plainDsn(
        "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service " +
          "554-Bad DNS PTR resource record. 554 For explanation visit " +
          "https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.10&r=1",
        "5.0.0",
        "mx00.gmx.net",
      ),
    );
    expect(result?.ruleId).toBe("gmx.bad-ptr");
    expect(result?.reason).toBe("requireptr");
  });

  it("gives Gmail's 4.7.23 PTR rate limit requireptr", async () => {
    const result = await decodeOne(
      mta.plainDsn(
        "451-4.7.23 The sending IP does not have a PTR record, or the corresponding " +
          "forward DNS entry does not match the sending IP. a1si2 - gsmtp",
        "4.7.23",
        "gmail-smtp-in.l.google.com",
      ),
    );
    expect(result?.ruleId).toBe("gmail.ptr-rate-limit");
    expect(result?.reason).toBe("requireptr");
  });
});
