import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

// The receivers' MX hosts are in 192.0.2.0/24, and the sending server is 203.0.113.5.

function diagnose(lines: readonly string[]): Promise<Diagnosis> {
  return diagnoseText(lines.join("\n") + "\n");
}

/** Returns the lines of a message that `pickup` submitted, up to the queue manager's line. */
function queued(stamp: string, id: string): string[] {
  return [
    `${stamp} mail postfix/pickup[100]: ${id}: uid=1000 from=<alice>`,
    `${stamp} mail postfix/cleanup[101]: ${id}: message-id=<${id}@example.com>`,
    `${stamp} mail postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
  ];
}

function deferred(stamp: string, id: string, recipient: string, reason: string): string {
  return `${stamp} mail postfix/smtp[103]: ${id}: to=<${recipient}>, relay=none, delay=1, delays=0.1/0/0.9/0, dsn=4.4.1, status=deferred (${reason})`;
}

const CONNECTION_ERRORS = [
  ...queued("2024-03-04T08:00:00+00:00", "4A1B2C3D01"),
  "2024-03-04T08:00:01+00:00 mail postfix/smtp[103]: connect to mx.example.net[192.0.2.7]:25: Connection refused",
  deferred(
    "2024-03-04T08:00:01+00:00",
    "4A1B2C3D01",
    "user1@example.net",
    "connect to mx.example.net[192.0.2.7]:25: Connection refused",
  ),
  "2024-03-04T08:30:01+00:00 mail postfix/smtp[105]: 4A1B2C3D01: conversation with mx.example.net[192.0.2.7] timed out while sending message body",
  ...queued("2024-03-04T09:00:00+00:00", "4A1B2C3D02"),
  deferred(
    "2024-03-04T09:00:01+00:00",
    "4A1B2C3D02",
    "user2@example.org",
    "connect to mx.example.org[192.0.2.9]:25: No route to host",
  ),
  "2024-03-04T10:00:01+00:00 mail postfix/smtp[104]: 4A1B2C3D02: lost connection with mx.example.org[192.0.2.9] while receiving the initial server greeting",
];

/** Returns the lines of a message that mx.example.com rejected with `reply`. */
function rejected(stamp: string, id: string, reply: string): string[] {
  return [
    ...queued(stamp, id),
    `${stamp} mail postfix/smtp[106]: ${id}: to=<user3@example.com>, ` +
      "relay=mx.example.com[192.0.2.11]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, " +
      `status=bounced (host mx.example.com[192.0.2.11] said: ${reply} (in reply to MAIL FROM command))`,
  ];
}

const REVERSE_DNS_REJECTION = rejected(
  "2024-03-04T12:00:00+00:00",
  "4A1B2C3D03",
  "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse " +
    "DNS for 203.0.113.5",
);

describe("sending IPs of a diagnosis", () => {
  test("leave out hosts the MTA could not reach", async () => {
    const diagnosis = await diagnose(CONNECTION_ERRORS);

    expect(diagnosis.input.unparsed).toBe(0);
    expect(diagnosis.providers.other?.deferred).toBe(2);
    expect(diagnosis.findings.map((f) => f.id)).not.toContain("ip-changed");
    expect(diagnosis.findings.map((f) => f.id)).not.toContain("new-ip");
    expect(diagnosis.server.sendingIps).not.toContain("192.0.2.7");
    expect(diagnosis.server.sendingIps).not.toContain("192.0.2.9");
    expect(JSON.stringify(diagnosis.readiness)).not.toMatch(/192\.0\.2\./);
  });

  test("keep the IP a rejection names", async () => {
    const diagnosis = await diagnose([...CONNECTION_ERRORS, ...REVERSE_DNS_REJECTION]);

    expect(diagnosis.server.sendingIps).toEqual(["203.0.113.5"]);
    expect(diagnosis.findings.map((f) => f.id)).not.toContain("ip-changed");
  });
});

describe("readiness commands", () => {
  test("name the IP of a reverse DNS rejection", async () => {
    const diagnosis = await diagnose(REVERSE_DNS_REJECTION);
    const ptr = diagnosis.readiness.items.find((item) => item.id === "ptr");

    expect(diagnosis.findings.map((f) => f.id)).toContain("reverse-dns");
    expect(ptr?.detail).toContain("--ip 203.0.113.5`");
    expect(ptr?.detail).not.toContain("YOUR.SENDING.IP");
  });

  test("prefer the IP that PTR replies name", async () => {
    const blocklisted = ["203.0.113.1", "203.0.113.2", "203.0.113.3"].flatMap((ip, index) =>
      [0, 1].flatMap((repeat) =>
        rejected(
          `2024-03-04T0${index}:${repeat}0:00+00:00`,
          `4A1B2C3E${index}${repeat}`,
          `554 5.7.1 Service unavailable; Client host [${ip}] blocked using zen.example.org`,
        ),
      ),
    );
    const diagnosis = await diagnose([...blocklisted, ...REVERSE_DNS_REJECTION]);
    const ptr = diagnosis.readiness.items.find((item) => item.id === "ptr");

    expect(diagnosis.server.sendingIps.slice(0, 3)).not.toContain("203.0.113.5");
    expect(ptr?.detail).toContain("--ip 203.0.113.5`");
  });

  test("keep the placeholder when no reply names an IP", async () => {
    const diagnosis = await diagnose(CONNECTION_ERRORS);
    const ptr = diagnosis.readiness.items.find((item) => item.id === "ptr");

    expect(ptr?.detail).toContain("--ip YOUR.SENDING.IP`");
    expect(ptr?.detail).toContain("Replace YOUR.SENDING.IP with the server's public IP");
  });
});
