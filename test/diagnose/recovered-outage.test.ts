import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);

/** The MX host and address of each recipient domain of the fixtures. */
const RELAYS: Readonly<Record<string, string>> = {
  "gmail.com": "gmail-smtp-in.l.google.com[192.0.2.27]",
  "yahoo.com": "mta5.am0.yahoodns.net[192.0.2.64]",
  "example.net": "mx.example.net[192.0.2.25]",
};

/** One delivery attempt: its minute after T0, recipient, and whether it was delivered. */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  readonly sent: boolean;
}

/**
 * Writes a Postfix log with one message per attempt. An attempt that was not delivered timed
 * out while connecting to the recipient domain's MX host.
 */
function postfixLog(attempts: readonly Attempt[]): string {
  const sorted = [...attempts].sort((a, b) => a.minute - b.minute);
  const lines = sorted.flatMap(({ minute, to, sent }, index) => {
    const id = `6E2F${(0x1000 + index).toString(16).toUpperCase()}B0`;
    const stamp = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
    const relay = RELAYS[to.slice(to.indexOf("@") + 1)] ?? "mx.example.net[192.0.2.25]";
    const delivery = sent
      ? `relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`
      : `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to ${relay}:25: Connection timed out)`;
    return [
      `${stamp} mail postfix/submission/smtpd[900]: ${id}: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${stamp} mail postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
      `${stamp} mail postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${stamp} mail postfix/smtp[903]: ${id}: to=<${to}>, ${delivery}`,
    ];
  });
  return `${lines.join("\n")}\n`;
}

/** Builds `count` attempts to `domain`, `every` minutes apart from minute `start`. */
function attempts(
  domain: string,
  sent: boolean,
  count: number,
  start: number,
  every: number,
): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: start + index * every,
    to: `user${start + index}@${domain}`,
    sent,
  }));
}

/**
 * Builds 12 timeouts to `domain`, ten minutes apart from `start`, then the 5 deliveries over
 * 32 minutes that make the outage recovered.
 */
function recoveredOutage(domain: string, start: number): Attempt[] {
  return [...attempts(domain, false, 12, start, 10), ...attempts(domain, true, 5, start + 130, 8)];
}

function healthy(diagnosis: Diagnosis) {
  return diagnosis.findings.find((finding) => finding.id === "healthy");
}

describe("healthy finding after a recovered outage", () => {
  test("names the outage and the deliveries", async () => {
    const diagnosis = await diagnoseText(postfixLog(recoveredOutage("gmail.com", 0)));
    const finding = healthy(diagnosis);

    expect(diagnosis.providers.gmail?.outage?.recovered).toBe(true);
    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(finding?.severity).toBe("info");
    expect(finding?.summary).toContain(
      "This server could not connect to Gmail from 2024-03-04T00:00:00Z to 2024-03-04T01:50:00Z (12 attempts in a row failed), and Gmail has accepted mail again since 2024-03-04T02:10:00Z.",
    );
    expect(finding?.summary).not.toContain("single recipients");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("names each recovered provider", async () => {
    const diagnosis = await diagnoseText(
      postfixLog([...recoveredOutage("gmail.com", 0), ...recoveredOutage("yahoo.com", 300)]),
    );
    const summary = healthy(diagnosis)?.summary ?? "";

    expect(summary).toContain("could not connect to Gmail from 2024-03-04T00:00:00Z");
    expect(summary).toContain("could not connect to Yahoo");
    expect(summary).toContain("from 2024-03-04T05:00:00Z to 2024-03-04T06:50:00Z");
  });

  test("log without outage keeps the wording", async () => {
    const diagnosis = await diagnoseText(postfixLog(attempts("gmail.com", true, 30, 0, 10)));

    expect(healthy(diagnosis)?.summary).toBe(
      "The log shows outbound deliveries and no sender-side rejections; the few failures are single recipients.",
    );
  });

  test("four deliveries are no recovery", async () => {
    const log = postfixLog([
      ...attempts("gmail.com", false, 12, 0, 10),
      ...attempts("gmail.com", true, 4, 130, 10),
    ]);
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("unreachable");
    expect(healthy(diagnosis)).toBeUndefined();
  });

  test("command line exits 0 and names it", async () => {
    const path = temporary.file(postfixLog(recoveredOutage("gmail.com", 0)));
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain("INFO healthy");
    expect(text.stdout).not.toContain("single recipients");
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).not.toContain("single recipients");
  });
});
