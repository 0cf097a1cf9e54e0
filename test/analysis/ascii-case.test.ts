import { describe, expect, it } from "vitest";
import { lowerAscii } from "../../src/analysis/ascii-case.js";
import { runCommand } from "../helpers/cli.js";

// The latin1 reading of UTF-8 text, as the log reader decodes lines.
function asRead(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

describe("lowerAscii", () => {
  it("lower-cases ASCII names", () => {
    expect(lowerAscii("Sales@Example.COM")).toBe("sales@example.com");
  });

  it("keeps the bytes of a UTF-8 name", () => {
    const lowered = lowerAscii(asRead("JOSÉ@Example.com"));
    expect(Buffer.from(lowered, "latin1").toString("utf8")).toBe("josÉ@example.com");
  });
});

describe("a SASL account name with UTF-8 letters", () => {
  it("reaches the statistics unchanged", async () => {
    const lines = Array.from({ length: 3 }, (_, index) => {
      const id = `4F2A${index}B1C`;
      const stamp = `2026-03-04T10:0${index}:00+00:00`;
      return [
        `${stamp} mail postfix/submission/smtpd[9]: ${id}: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=JOSÉ@example.com`,
        `${stamp} mail postfix/qmgr[8]: ${id}: from=<jose@example.com>, size=900, nrcpt=1 (queue active)`,
        `${stamp} mail postfix/smtp[7]: ${id}: to=<a${index}@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)`,
      ].join("\n");
    });
    const run = await runCommand(
      ["logs", "--timezone", "UTC", "-f", "json", "-"],
      `${lines.join("\n")}\n`,
    );
    const report = JSON.parse(run.stdout) as { accounts: Array<{ key: string }> };
    expect(report.accounts.map((row) => row.key)).toEqual(["josÉ@example.com"]);
  });
});
