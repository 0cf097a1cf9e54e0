import { describe, expect, it } from "vitest";
import type { OutageReport, ServerReport } from "../../src/diagnose/types.js";
import { failedHostsList, hostsSentence, ownDecisionHeading } from "../../src/report/hosts.js";

function serverWith(hosts: ServerReport["hosts"]): ServerReport {
  return { hosts } as unknown as ServerReport;
}

describe("hostsSentence", () => {
  it("names each host that made delivery attempts", () => {
    const sentence = hostsSentence(
      serverWith([
        { name: "mx1", remoteAttempts: 30, messages: 30 },
        { name: "mx2", remoteAttempts: 8, messages: 8 },
      ]),
    );
    expect(sentence).toBe(
      "The verdicts count the mail of 2 hosts together: mx1 (30 delivery attempts) and mx2 (8).",
    );
  });

  it("leaves out a host that only received mail", () => {
    const sentence = hostsSentence(
      serverWith([
        { name: "server1", remoteAttempts: 33, messages: 40 },
        { name: "backup", remoteAttempts: 0, messages: 2 },
      ]),
    );
    expect(sentence).toBeNull();
  });
});

describe("failedHostsList", () => {
  const outage = { failuresByHost: { mx2: 14 } } as unknown as OutageReport;

  it("names the hosts whose attempts failed", () => {
    const server = serverWith([
      { name: "mx1", remoteAttempts: 30, messages: 30 },
      { name: "mx2", remoteAttempts: 14, messages: 14 },
    ]);
    expect(failedHostsList(outage, server)).toBe("mx2 (14)");
  });

  it("names no host of a one-host log", () => {
    const server = serverWith([{ name: "mx2", remoteAttempts: 14, messages: 14 }]);
    expect(failedHostsList(outage, server)).toBeNull();
  });
});

describe("ownDecisionHeading", () => {
  it("keeps this server for one host", () => {
    const server = serverWith([{ name: "mx1", remoteAttempts: 30, messages: 30 }]);
    expect(ownDecisionHeading(server)).toBe("Deferred or bounced by this server itself");
  });

  it("says these servers for two hosts", () => {
    const server = serverWith([
      { name: "mx1", remoteAttempts: 30, messages: 30 },
      { name: "mx2", remoteAttempts: 8, messages: 8 },
    ]);
    expect(ownDecisionHeading(server)).toBe("Deferred or bounced by these servers themselves");
  });
});
