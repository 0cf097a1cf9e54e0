import { describe, expect, it } from "vitest";
import { failedConnectionHost, withFailedHost } from "../../src/knowledge/rules/connection.js";
import { runCommand } from "../helpers/cli.js";

/** A connection failure as Postfix logs it, naming the MX host it tried. */
const POSTFIX_TIMEOUT = "connect to mx.example.net[192.0.2.1]:25: Connection timed out";

interface ExplainJson {
  readonly ruleId: string;
  readonly fix: readonly string[];
}

async function explainJson(...words: string[]): Promise<ExplainJson> {
  const result = await runCommand(["explain", "--format", "json", ...words]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as ExplainJson;
}

function testStep(fix: readonly string[]): string | undefined {
  return fix.find((step) => step.includes("nc -vz"));
}

describe("explain of a connection failure", () => {
  it("names the host in JSON", async () => {
    const json = await explainJson(POSTFIX_TIMEOUT);
    expect(json.ruleId).toBe("generic.connect-timed-out");
    expect(testStep(json.fix)).toContain("`nc -vz mx.example.net 25`");
    expect(testStep(json.fix)).toContain("`telnet mx.example.net 25`");
    expect(json.fix.join("\n")).not.toContain("<MX host>");
  });

  it("names the host in text", async () => {
    const result = await runCommand(["explain", POSTFIX_TIMEOUT]);
    // The text output wraps at 80 columns, so a command may break at any space.
    expect(result.stdout).toMatch(/nc -vz\s+mx\.example\.net\s+25/);
    expect(result.stdout).not.toContain("<MX host>");
  });

  it("names the host in Markdown", async () => {
    const result = await runCommand(["explain", "--format", "markdown", POSTFIX_TIMEOUT]);
    expect(result.stdout).toContain("`nc -vz mx.example.net 25`");
    expect(result.stdout).not.toContain("<MX host>");
  });

  it.each([
    ["conversation with mx.example.net[198.51.100.25] timed out while sending message body"],
    [
      "lost connection with mx.example.net[198.51.100.25] while receiving the initial server greeting",
    ],
    ["defer (111) H=mx.example.net [192.0.2.1]: Connection refused"],
    ["mx.example.net [2001:db8::1] Network is unreachable"],
    ["Deferred: Connection timed out with mx.example.net."],
    ["Deferred: Connection refused by mx.example.net."],
  ])("finds the host in %s", async (text) => {
    const json = await explainJson(text);
    expect(testStep(json.fix)).toContain("`nc -vz mx.example.net 25`");
  });

  it("names the Remote-MTA of a pasted bounce", async () => {
    const bounce = [
      "Final-Recipient: rfc822; user1@example.net",
      "Action: delayed",
      "Remote-MTA: dns; mx9.example.net",
      "Diagnostic-Code: smtp; Connection timed out",
      "",
    ].join("\n");
    const result = await runCommand(["explain", "--format", "json", "-"], bounce);
    const json = JSON.parse(result.stdout) as ExplainJson;
    expect(json.ruleId).toBe("generic.connect-timed-out");
    expect(testStep(json.fix)).toContain("`nc -vz mx9.example.net 25`");
  });

  it("says in words which hosts without one", async () => {
    const json = await explainJson("defer (110): Connection timed out");
    const step = testStep(json.fix);
    expect(json.ruleId).toBe("generic.connect-timed-out");
    expect(step).toMatch(/^Test port 25 of the recipient domain's MX hosts/);
    expect(step).toContain("`dig +short MX`");
    expect(json.fix.join("\n")).not.toMatch(/<[^>]*>/);
  });

  it("keeps shell characters out of the step", async () => {
    const json = await explainJson(
      "connect to mx.example.net;id[192.0.2.1]:25: Connection refused",
    );
    const step = testStep(json.fix);
    expect(json.ruleId).toBe("generic.connect-refused");
    expect(step).not.toContain(";id");
    expect(step).toMatch(/^Test port 25 of the recipient domain's MX hosts/);
  });
});

describe("failedConnectionHost", () => {
  it.each([
    ["connect to mx.example.net[192.0.2.1]:25: Connection timed out", "mx.example.net"],
    ["H=mx.example.net [192.0.2.1]: Connection refused", "mx.example.net"],
    ["Connection timed out with mx.example.net.", "mx.example.net"],
    ["mx.example.net", "mx.example.net"],
    ["defer (110): Connection timed out", null],
    ["mx.example.net; id", null],
  ])("reads %s", (text, host) => {
    expect(failedConnectionHost(text)).toBe(host);
  });
});

describe("withFailedHost", () => {
  const steps = ["Test from the server itself: `nc -vz <MX host> 25`.", "Check the firewall."];

  it("fills in a known host", () => {
    expect(withFailedHost(steps, "mx.example.net")).toEqual([
      "Test from the server itself: `nc -vz mx.example.net 25`.",
      "Check the firewall.",
    ]);
  });

  it("leaves steps of other rules alone", () => {
    expect(withFailedHost(["Check the firewall."], null)).toEqual(["Check the firewall."]);
  });
});
