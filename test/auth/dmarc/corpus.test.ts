import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyDkimSignatures } from "../../../src/auth/dkim/verify.js";
import { evaluateDmarc } from "../../../src/auth/dmarc/alignment.js";
import { registrableDomain } from "../../../src/auth/dmarc/discover.js";
import { fromDomains } from "../../../src/auth/dmarc/from.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { zoneDns } from "../zone.js";

const root = corpusRoot();

describe.skipIf(root === null)("public suffix list tests", () => {
  const lines =
    root === null
      ? []
      : readFileSync(corpusPath(root, "auth/publicsuffix/tests.txt"), "utf8")
          .split("\n")
          .filter((line) => line.trim() !== "" && !line.startsWith("//"));

  it("reads all 78 cases", () => {
    expect(lines).toHaveLength(78);
  });

  for (const line of lines) {
    const [input = "", expected = ""] = line.split(" ");
    it(`${input} → ${expected}`, () => {
      const domain = input === "null" ? null : registrableDomain(input);
      expect(domain).toBe(expected === "null" ? null : expected);
    });
  }
});

/**
 * The authheaders messages, with our own expectations: the envelope (SPF) domain is d1.example
 * as their Authentication-Results say, and DKIM is verified for real against the key the suite
 * ships (`test.txt`, selector `test`): two messages verify, the signatures of the multi-From,
 * `np` and `sub` messages do not. The DMARC records are ours, written for these cases.
 */
const CASES: readonly {
  file: string;
  from: string[];
  error: boolean;
  dkim: string[];
  dmarc: string | null;
  policy?: string;
}[] = [
  {
    file: "test.message",
    from: ["example.com"],
    error: false,
    dkim: [],
    dmarc: "fail",
    policy: "reject",
  },
  {
    file: "test.message_signed",
    from: ["example.com"],
    error: false,
    dkim: ["example.com:pass"],
    dmarc: "pass",
    policy: "reject",
  },
  {
    file: "testcomma.message",
    from: ["example.com"],
    error: false,
    dkim: ["example.com:pass"],
    dmarc: "pass",
    policy: "reject",
  },
  {
    file: "test.message_multi",
    from: ["example.org", "example.com"],
    error: true,
    dkim: [],
    dmarc: null,
  },
  {
    file: "test.message_multi2",
    from: ["example.com", "example.org"],
    error: true,
    dkim: [],
    dmarc: null,
  },
  { file: "test.nofrom.message", from: [], error: true, dkim: [], dmarc: null },
  { file: "test_nop.message", from: ["nop.example.org"], error: false, dkim: [], dmarc: "none" },
  {
    file: "test.gov.message",
    from: ["example.gov"],
    error: false,
    dkim: [],
    dmarc: "fail",
    policy: "reject",
  },
  {
    file: "test.message_np1",
    from: ["sub.example.biz"],
    error: false,
    dkim: [],
    dmarc: "fail",
    policy: "quarantine",
  },
  {
    file: "test.message_np2",
    from: ["sub2.example.biz"],
    error: false,
    dkim: [],
    dmarc: "fail",
    policy: "none",
  },
  {
    file: "test.message_sub",
    from: ["sub.example.net"],
    error: false,
    dkim: [],
    dmarc: "fail",
    policy: "none",
  },
];

describe.skipIf(root === null)("authheaders DMARC cases", () => {
  const key =
    root === null ? "" : readFileSync(corpusPath(root, "auth/authheaders/test.txt"), "utf8").trim();
  const strings = (key.match(/.{1,200}/g) ?? []).map((part) => `"${part}"`).join(" ");
  const zone = `$ORIGIN example.com.
_dmarc TXT "v=DMARC1; p=reject"
test._domainkey TXT ${strings}
$ORIGIN example.biz.
_dmarc TXT "v=DMARC1; p=reject; sp=quarantine; np=none"
test._domainkey TXT ${strings}
sub A 192.0.2.10
$ORIGIN example.net.
_dmarc TXT "v=DMARC1; p=none"
$ORIGIN gov.
_dmarc TXT "v=DMARC1; p=reject; psd=y"
`;

  for (const testCase of CASES) {
    it(testCase.file, async () => {
      const message = readFileSync(corpusPath(root ?? "", "auth/authheaders", testCase.file));
      const dns = zoneDns(zone);
      const from = fromDomains(message.toString("latin1"));
      const signatures = await verifyDkimSignatures(message, dns);
      expect(from.domains).toEqual(testCase.from);
      expect(from.error !== null).toBe(testCase.error);
      expect(
        signatures.filter((s) => s.result === "pass").map((s) => `${s.domain}:${s.result}`),
      ).toEqual(testCase.dkim);
      if (testCase.dmarc === null || from.error !== null) return;
      const dkim = signatures.map((s) => ({ domain: s.domain, result: s.result }));
      const result = await evaluateDmarc(
        from.domains[0] ?? "",
        { domain: "d1.example", result: "pass" },
        dkim,
        dns,
      );
      expect(result.result).toBe(testCase.dmarc);
      if (testCase.policy !== undefined) expect(result.appliedPolicy).toBe(testCase.policy);
    });
  }
});
