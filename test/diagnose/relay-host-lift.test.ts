import { describe, expect, test } from "vitest";
import { diagnoseText } from "../helpers/diagnose-text.js";

const RELAY = "relay=smtp.relay.example.net[192.0.2.50]:587, delay=1, delays=0.1/0/0.4/0.5";
const QUOTA_REPLY =
  "451 4.7.1 <alice@example.com>: Sender address rejected: sending quota exceeded, try again later";

/** Returns the stamp `minutes` after 2026-03-10 08:00 UTC. */
function stamp(minutes: number): string {
  return new Date(Date.UTC(2026, 2, 10, 8, minutes)).toISOString().replace(".000Z", "+00:00");
}

/**
 * Writes a Postfix log in which every message to example.net goes through one relay host: four
 * accepted, then `deferred` deferred every 5 minutes from 09:00, then `accepted` accepted every
 * `everyMinutes` from 10:00. A last message, to example.org directly, at `endMinutes` sets
 * the end of the log.
 */
function relayLog(deferred: number, accepted: number, everyMinutes: number, endMinutes: number) {
  const lines: string[] = [];
  let index = 0;
  const message = (minutes: number, sent: boolean): void => {
    const id = `5B${String(index).padStart(8, "0")}`;
    const to = `to=<u${index}@example.net>`;
    index += 1;
    lines.push(
      `${stamp(minutes)} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
      sent
        ? `${stamp(minutes)} mx1 postfix/smtp[901]: ${id}: ${to}, ${RELAY}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as C1)`
        : `${stamp(minutes)} mx1 postfix/smtp[901]: ${id}: ${to}, ${RELAY}, dsn=4.7.1, status=deferred (host smtp.relay.example.net[192.0.2.50] said: ${QUOTA_REPLY} (in reply to MAIL FROM command))`,
    );
  };
  for (let i = 0; i < 4; i++) message(i * 10, true);
  for (let i = 0; i < deferred; i++) message(60 + i * 5, false);
  for (let i = 0; i < accepted; i++) message(120 + i * everyMinutes, true);
  lines.push(
    `${stamp(endMinutes)} mx1 postfix/qmgr[900]: 5C00000001: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
    `${stamp(endMinutes)} mx1 postfix/smtp[901]: 5C00000001: to=<last@example.org>, relay=mx.example.org[192.0.2.60]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as C2)`,
  );
  return `${lines.join("\n")}\n`;
}

describe("relay host block lift", () => {
  test("quiet hours lift it", async () => {
    // Six accepted, one an hour from 10:00, and the log ends 18 hours after the last deferral.
    const diagnosis = await diagnoseText(relayLog(12, 6, 60, 60 + 55 + 18 * 60));
    const row = diagnosis.providers["relay-host"];

    expect(row?.status).toBe("ok");
    expect(row?.pastBlock?.deliveredAfter).toBe(6);
    expect(row?.acceptedSinceLastBlock).toBe(6);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain(
      "Relay host smtp.relay.example.net:587 deferred mail from this server from",
    );
  });

  test("twenty in a row lift it", async () => {
    // Thirty accepted, one every 10 minutes, and the log ends right after the last.
    const diagnosis = await diagnoseText(relayLog(12, 30, 10, 120 + 29 * 10 + 1));
    const row = diagnosis.providers["relay-host"];

    expect(row?.status).toBe("ok");
    expect(row?.pastBlock?.deliveredAfter).toBe(30);
  });

  test("too few keep it open", async () => {
    // Three accepted an hour apart are too few for either way.
    const diagnosis = await diagnoseText(relayLog(12, 3, 60, 60 + 55 + 18 * 60));
    const row = diagnosis.providers["relay-host"];

    expect(row?.status).toBe("rate-limited");
    expect(row?.pastBlock).toBeNull();
    expect(row?.acceptedSinceLastBlock).toBe(3);
  });
});
