import { describe, expect, it } from "vitest";
import { cutText, storedProbeResult } from "../../src/probe/stored-result.js";
import type { ProbeReply, ProbeResult } from "../../src/probe/index.js";

function reply(stage: ProbeReply["stage"], command: string | null, text: string): ProbeReply {
  return {
    stage,
    command,
    replyCode: Number(text.slice(0, 3)),
    enhancedStatus: null,
    text,
    complete: true,
    incompleteReason: null,
    category: "unknown",
    ruleId: "generic.accepted",
    permanent: false,
    summary: "The receiver accepted the command.",
    provider: null,
    judgedIp: null,
    elapsedMs: 5,
  };
}

/** Builds an accepted probe result with the given greeting and EHLO reply texts. */
function resultWith(greeting: string, ehlo: string, extensions: string[]): ProbeResult {
  return {
    recipient: "someone@example.com",
    sender: "postmaster@example.com",
    helo: "mail.example.com",
    mx: { host: "mx.example.com", address: "192.0.2.25", port: 25, source: "dns" },
    localAddress: "192.0.2.7",
    ip: "192.0.2.7",
    provider: "other",
    banner: greeting,
    extensions,
    tls: null,
    replies: [
      reply("connect", null, greeting),
      reply("helo", "EHLO mail.example.com", ehlo),
      reply("rcpt", "RCPT TO:<someone@example.com>", "250 2.1.5 ok"),
    ],
    unanswered: null,
    status: "accepted",
    detail: "The receiver accepted the recipient.",
    fix: [],
    sendTest: false,
    sentData: false,
    startedAt: 0,
    finishedAt: 5,
    failedHosts: [],
  };
}

describe("storedProbeResult", () => {
  it("keeps a normal result whole", () => {
    const result = resultWith(
      "220 mx.example.com ESMTP",
      "250-mx.example.com\n250-PIPELINING\n250 STARTTLS",
      ["PIPELINING", "STARTTLS"],
    );

    expect(storedProbeResult(result)).toEqual(result);
  });

  it("cuts a long greeting and EHLO reply", () => {
    const greeting = Array.from({ length: 2000 }, (_, i) => `220-line ${i}`).join("\n");
    const ehloLines = Array.from({ length: 500 }, (_, i) => `250-X-EXT${i}`);
    const extensions = ehloLines.map((line) => line.slice(4));
    const stored = storedProbeResult(resultWith(greeting, ehloLines.join("\n"), extensions));

    expect(stored.banner).not.toBeNull();
    expect(Buffer.byteLength(stored.banner ?? "")).toBeLessThanOrEqual(2048);
    expect(stored.replies[0]?.text).toBe(stored.banner);
    expect(stored.replies[0]?.textBytes).toBe(Buffer.byteLength(greeting));
    expect(Buffer.byteLength(stored.replies[1]?.text ?? "")).toBeLessThanOrEqual(2048);
    expect(stored.replies[2]?.textBytes).toBeUndefined();
    expect(stored.extensions).toHaveLength(64);
    expect(stored.extensionCount).toBe(500);
  });
});

describe("cutText", () => {
  it("cuts at the last line end", () => {
    const text = `${"a".repeat(1500)}\n${"b".repeat(1000)}`;

    expect(cutText(text)).toBe("a".repeat(1500));
  });

  it("cuts a long line between characters", () => {
    // "é" is two bytes in UTF-8, so 2,048 bytes hold 1,024 of them.
    expect(cutText("é".repeat(3000))).toBe("é".repeat(1024));
    expect(cutText("ab€", 4)).toBe("ab");
  });
});
