import { describe, expect, it } from "vitest";
import type { ServerReport } from "../../src/diagnose/types.js";
import { hostsSentence } from "../../src/report/hosts.js";

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
