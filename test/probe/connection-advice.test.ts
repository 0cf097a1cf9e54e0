import { describe, expect, it } from "vitest";
import { connectionFailureAdvice } from "../../src/probe/advice.js";
import { closedPort } from "../monitor/harness.js";
import { runProbe } from "../helpers/probe-command.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

describe("advice for a probe that could not connect", () => {
  it.each([
    ["cannot connect: connect ECONNREFUSED 127.0.0.1:1", "generic.connect-refused"],
    ["no TCP connection within 3000 ms", "generic.connect-timed-out"],
    ["cannot connect: connect ETIMEDOUT 192.0.2.27:25", "generic.connect-timed-out"],
    ["cannot connect: connect EHOSTUNREACH 192.0.2.27:25", "generic.no-route-to-host"],
    ["cannot connect: connect ENETUNREACH 2001:db8::1b:25", "generic.network-unreachable"],
  ])("reads %s as %s", (error, ruleId) => {
    expect(connectionFailureAdvice([{ error }])?.id).toBe(ruleId);
  });

  it("gives none for an error it cannot read", () => {
    expect(connectionFailureAdvice([{ error: "no address" }])).toBeNull();
  });

  it("prints the test steps for the refused port", async () => {
    const folder = temporary.folder({});
    const port = await closedPort();
    const result = await runProbe(`${folder}/history.sqlite`, port);
    expect(result.stdout).toContain("Could not connect to any mail host");
    expect(result.stdout).toContain("What to do:");
    expect(result.stdout).toContain(`nc -vz 127.0.0.1 ${String(port)}`);
    expect(result.stdout).not.toContain("<MX host>");
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });
});
