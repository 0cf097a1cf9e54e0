import { describe, expect, test } from "vitest";
import { isInternalAddress, relatedDomains } from "../../src/analysis/forwarding.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { analyseLogs } from "../../src/diagnose/run.js";
import { resolveTimeZone } from "../../src/time/zone.js";

interface Forward {
  /** The local address the message arrived for. */
  readonly alias: string;
  /** The address the alias forwards to. */
  readonly target: string;
  readonly relayHost: string;
  readonly relayIp: string;
}

const TO_GMAIL: Omit<Forward, "alias"> = {
  target: "alice.private@gmail.com",
  relayHost: "gmail-smtp-in.l.google.com",
  relayIp: "192.0.2.27",
};

/**
 * Writes messages received from the Internet and forwarded by an alias, as Postfix logs them
 * (`orig_to=` names the alias), plus a local delivery that makes example.com a local domain.
 */
function forwardingLog(forwards: ReadonlyArray<{ forward: Forward; count: number }>): PostfixLog {
  const log = new PostfixLog("mx1.example.com");
  let serial = 0;
  const line = (time: number, program: string, text: string): void => {
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    log.raw(time, `${stamp} mx1.example.com ${program}[${1000 + serial}]: ${text}`);
  };
  const receive = (time: number, id: string, recipientLine: string): void => {
    line(time, "postfix/smtpd", `${id}: client=mail.example.org[198.51.100.7]`);
    line(time, "postfix/cleanup", `${id}: message-id=<${id}@example.org>`);
    line(time, "postfix/qmgr", `${id}: from=<news@example.org>, size=2000, nrcpt=1 (queue active)`);
    line(time + 1000, "postfix/smtp", recipientLine);
    line(time + 2000, "postfix/qmgr", `${id}: removed`);
  };

  const localId = "0A1B2C3D40";
  receive(
    T0,
    localId,
    `${localId}: to=<bob@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)`,
  );
  for (const { forward, count } of forwards) {
    for (let index = 0; index < count; index++) {
      serial += 1;
      const id = (0x5000000000 + serial).toString(16).toUpperCase();
      receive(
        T0 + serial * 60_000,
        id,
        `${id}: to=<${forward.target}>, orig_to=<${forward.alias}>, relay=${forward.relayHost}[${forward.relayIp}]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
      );
    }
  }
  return log;
}

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text(), { now: T0 + 48 * HOUR });
}

function forwardingOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "forwarding");
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

describe("forwarding finding", () => {
  test("forwards to Gmail are found", async () => {
    const log = forwardingLog([
      { forward: { alias: "alice@example.com", ...TO_GMAIL }, count: 12 },
    ]);
    const found = forwardingOf(await diagnose(log));
    expect(found?.severity).toBe("warning");
    expect(evidenceOf(found)["forwardedMessages"]).toBe(12);
    expect(evidenceOf(found)["aliases"]).toEqual({
      "alice@example.com": "alice.private@gmail.com",
    });
  });

  test("private relay is inside the site", async () => {
    const smarthost = {
      alias: "root@mx1.example.com",
      target: "admin@example.net",
      relayHost: "hub.internal",
      relayIp: "192.168.120.5",
    };
    const diagnosis = await diagnose(forwardingLog([{ forward: smarthost, count: 12 }]));
    expect(forwardingOf(diagnosis)).toBeUndefined();
  });

  test("alias's own parent domain is inside", async () => {
    const sameDomain = {
      alias: "logcheck@mx1.example.net",
      target: "admin@example.net",
      relayHost: "mx.example.net",
      relayIp: "198.51.100.25",
    };
    const diagnosis = await diagnose(forwardingLog([{ forward: sameDomain, count: 12 }]));
    expect(forwardingOf(diagnosis)).toBeUndefined();
  });

  test("server's local domain is inside", async () => {
    // example.com is a local domain: the log delivers bob@example.com to a mailbox.
    const toLocalDomain = {
      alias: "info@example.org",
      target: "carol@example.com",
      relayHost: "mx.example.net",
      relayIp: "198.51.100.25",
    };
    const diagnosis = await diagnose(forwardingLog([{ forward: toLocalDomain, count: 12 }]));
    expect(forwardingOf(diagnosis)).toBeUndefined();
  });

  test("only outside forwards are counted", async () => {
    const log = forwardingLog([
      {
        forward: {
          alias: "root@mx1.example.com",
          target: "admin@example.net",
          relayHost: "hub.internal",
          relayIp: "10.0.0.5",
        },
        count: 20,
      },
      { forward: { alias: "alice@example.com", ...TO_GMAIL }, count: 11 },
    ]);
    const found = forwardingOf(await diagnose(log));
    expect(evidenceOf(found)["forwardedMessages"]).toBe(11);
    expect(Object.keys(evidenceOf(found)["aliases"] as object)).toEqual(["alice@example.com"]);
  });

  test("a few forwards are no finding", async () => {
    const log = forwardingLog([{ forward: { alias: "alice@example.com", ...TO_GMAIL }, count: 4 }]);
    expect(forwardingOf(await diagnose(log))).toBeUndefined();
  });
});

/** Counts the forwarded messages of an Exim main log, as `delist logs` reports them. */
async function eximForwardedMessages(lines: readonly string[]): Promise<number> {
  const file = writeTemporaryLog(`${lines.join("\n")}\n`);
  try {
    const run = await analyseLogs([file.path], { timeZone: resolveTimeZone("UTC") });
    return run.facts.forwarding.messages;
  } finally {
    file.remove();
  }
}

describe("forwardedMessages origins", () => {
  const delivery = (id: string, parent: string): string =>
    `2026-03-01 01:02:23 ${id} => admin@example.net <${parent}> R=dnslookup T=remote_smtp ` +
    "H=mx.example.net [192.0.2.204]";

  test("local program mail is not forwarded", async () => {
    const count = await eximForwardedMessages([
      "2026-03-01 01:02:22 1tFFFA-000001-AA <= logcheck@host.example.com U=logcheck P=local S=1700",
      delivery("1tFFFA-000001-AA", "logcheck@host.example.com"),
      "2026-03-01 01:02:23 1tFFFA-000001-AA Completed",
    ]);
    expect(count).toBe(0);
  });

  test("mail from the Internet is forwarded", async () => {
    const count = await eximForwardedMessages([
      "2026-03-01 01:02:22 1tFFFB-000002-AA <= news@example.org H=mail.example.org " +
        "[198.51.100.7] P=esmtp S=1700",
      delivery("1tFFFB-000002-AA", "alice@host.example.com"),
      "2026-03-01 01:02:23 1tFFFB-000002-AA Completed",
    ]);
    expect(count).toBe(1);
  });
});

describe("forwarding helpers", () => {
  test.each([
    ["192.168.1.5", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["127.0.0.1", true],
    ["fd00::25", true],
    ["::1", true],
    ["::ffff:192.168.1.5", true],
    ["192.0.2.27", false],
    ["2001:db8::25", false],
    ["not an address", false],
  ])("internal address %s", (ip, expected) => {
    expect(isInternalAddress(ip)).toBe(expected);
  });

  test.each([
    ["example.com", "example.com", true],
    ["mx1.example.com", "example.com", true],
    ["example.com", "a.b.example.com", true],
    ["example.com", "example.net", false],
    ["badexample.com", "example.com", false],
  ])("related domains %s and %s", (a, b, expected) => {
    expect(relatedDomains(a, b)).toBe(expected);
  });
});
