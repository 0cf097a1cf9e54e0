import { describe, expect, it } from "vitest";
import { checkSpf } from "../../../src/auth/spf/check.js";
import { forbidRealNetwork } from "../../dns/guard.js";
import { runCommand } from "../../helpers/cli.js";
import { temporaryFiles } from "../../helpers/temporary-files.js";
import { zoneDns } from "../zone.js";

forbidRealNetwork();

const temporary = temporaryFiles();

const codes = (problems: readonly { code: string }[]): string[] => problems.map((p) => p.code);

/** example.com publishing `record`, followed by the records of other names in the zone. */
function zone(record: string, ...others: string[]): string {
  return [`$ORIGIN example.com.`, `@ TXT "${record}"`, ...others, ""].join("\n");
}

describe("SPF +all behind an include", () => {
  it("reports the include as an error", async () => {
    const dns = zoneDns(zone("v=spf1 include:plus.example.com -all", `plus TXT "v=spf1 +all"`));
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    const problem = check.problems.find((p) => p.code === "spf-pass-all");
    expect(check.verdict).toBe("fail");
    expect(check.evidence.result).toEqual({ "192.0.2.99": "pass" });
    expect(problem?.severity).toBe("error");
    expect(problem?.message).toBe(
      'example.com reaches "+all" in the SPF record of plus.example.com, which lets every ' +
        "server on the internet send as example.com.",
    );
    expect(problem?.fix).toContain("Remove include:plus.example.com from the SPF record");
  });

  it("drops the include from the corrected record", async () => {
    const dns = zoneDns(zone("v=spf1 include:plus.example.com -all", `plus TXT "v=spf1 +all"`));
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.99 -all");
  });

  it("keeps an IP listed before the +all", async () => {
    const dns = zoneDns(
      zone(
        "v=spf1 ip4:192.0.2.10 include:plus.example.com -all",
        `plus TXT "v=spf1 ip4:198.51.100.5 +all"`,
      ),
    );
    const check = await checkSpf("example.com", ["192.0.2.10", "198.51.100.5"], null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.10 ip4:198.51.100.5 -all");
  });

  it("names the path of a nested include", async () => {
    const dns = zoneDns(
      zone(
        "v=spf1 include:a.example.com -all",
        `a TXT "v=spf1 ip4:198.51.100.5 include:plus.example.com -all"`,
        `plus TXT "v=spf1 +all"`,
      ),
    );
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    const problem = check.problems.find((p) => p.code === "spf-pass-all");
    expect(problem?.message).toContain("plus.example.com through a.example.com,");
    expect(problem?.fix).toContain("Remove include:a.example.com from the SPF record");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.99 -all");
  });

  it("reports +all behind a redirect", async () => {
    const dns = zoneDns(zone("v=spf1 redirect=plus.example.com", `plus TXT "v=spf1 +all"`));
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    const problem = check.problems.find((p) => p.code === "spf-pass-all");
    expect(problem?.fix).toContain("Remove redirect=plus.example.com from the SPF record");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.99 ~all");
  });

  it("ignores +all behind a failing qualifier", async () => {
    const dns = zoneDns(zone("v=spf1 ~include:plus.example.com -all", `plus TXT "v=spf1 +all"`));
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.99": "softfail" });
    expect(codes(check.problems)).not.toContain("spf-pass-all");
  });

  it("ignores -all behind an include", async () => {
    const dns = zoneDns(
      zone("v=spf1 include:minus.example.com -all", `minus TXT "v=spf1 ip4:192.0.2.99 -all"`),
    );
    const check = await checkSpf("example.com", ["192.0.2.99"], null, dns);
    expect(check.problems).toEqual([]);
    expect(check.verdict).toBe("pass");
  });

  it("check shows the error in text and JSON", async () => {
    const text = zone("v=spf1 include:plus.example.com -all", `plus TXT "v=spf1 +all"`);
    const file = temporary.file(text, "example.com.zone");
    const args = ["check", "example.com", "--ip", "192.0.2.99", "--zone", file];
    const json = await runCommand([...args, "--format", "json"]);
    const human = await runCommand(args);
    const parsed = JSON.parse(json.stdout) as {
      domains: { spf: { problems: { code: string }[]; correctedRecord: string | null } }[];
    };
    const spf = parsed.domains[0]?.spf;
    expect(codes(spf?.problems ?? [])).toContain("spf-pass-all");
    expect(spf?.correctedRecord).toBe("v=spf1 ip4:192.0.2.99 -all");
    expect(human.stdout).toContain('example.com reaches "+all" in the SPF record of');
    expect(human.stdout).toContain("v=spf1 ip4:192.0.2.99 -all");
    expect(json.code).toBe(1);
    expect(human.code).toBe(1);
  });
});
