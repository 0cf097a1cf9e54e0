import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

// The zone of exämple.com in the ASCII (xn--) form that DNS stores.
const ZONE = [
  "$ORIGIN xn--exmple-cua.com.",
  "@ 300 IN MX 10 mail",
  '@ 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"',
  "mail 300 IN A 192.0.2.1",
  '_dmarc 300 IN TXT "v=DMARC1; p=none"',
  "",
].join("\n");

describe("internationalised domain names", () => {
  test("check looks a Unicode domain up in its ASCII form", async () => {
    const zone = temporary.file(ZONE, "idn.zone");
    const result = await runCommand(["check", "exämple.com", "--zone", zone, "-f", "json"]);
    const json = JSON.parse(result.stdout) as {
      input: { domains: string[] };
      spf: { record: string | null };
    };
    expect(json.input.domains).toEqual(["xn--exmple-cua.com"]);
    expect(json.spf.record).toBe("v=spf1 ip4:192.0.2.1 -all");
  });

  test("a name that is not a domain in any script is still refused", async () => {
    const result = await runCommand(["check", "exä mple.com", "--offline"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid domain "exä mple.com"');
  });
});

describe("internationalised domain errors", () => {
  const cases: [string, string][] = [
    ["bü cher.example", 'the label "bü cher" contains a space'],
    ["bü/cher.example", 'the label "bü/cher" contains "/"'],
    ["xn--zz.example", 'the label "xn--zz" starts with xn-- but is not valid Punycode'],
  ];
  for (const [typed, problem] of cases) {
    test(`names the typed value ${typed}`, async () => {
      const result = await runCommand(["check", typed, "--offline"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid domain "${typed}": ${problem}`);
      expect(result.stderr).not.toContain("xn--b");
    });
  }

  test("empty label names the typed value", async () => {
    const result = await runCommand(["check", "bücher..example", "--offline"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid domain "bücher..example"');
    expect(result.stderr).not.toContain("xn--bcher-kva");
  });

  test("ideographic full stop separates labels", async () => {
    const zone = temporary.file(ZONE, "idn.zone");
    const result = await runCommand(["check", "exämple\u3002com", "--zone", zone, "-f", "json"]);
    const json = JSON.parse(result.stdout) as { input: { domains: string[] } };
    expect(json.input.domains).toEqual(["xn--exmple-cua.com"]);
  });
});
