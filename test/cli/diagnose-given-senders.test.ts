import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { blockedLog } from "../helpers/blocked-log.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import type { Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** Gmail's block for unsolicited mail, without the bracket that names the sending IP. */
const GMAIL_UNSOLICITED_NO_IP: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 Gmail has detected that this message is likely unsolicited mail. To reduce the 550-5.7.1 amount of spam sent to Gmail, this message has been blocked. b2si3 - gsmtp",
};

/** Gmail's rejection of a sender without a PTR record, which names the sending IP. */
const GMAIL_NO_PTR: Outcome = {
  status: "bounced",
  dsn: "5.7.25",
  reply:
    "550-5.7.25 [203.0.113.10] The IP address sending this message does not have a 550-5.7.25 PTR record setup. c3si4 - gsmtp",
};

/**
 * Drops the SMTP AUTH login from every submission, so that the log names no account and no
 * sending domain of the server's own.
 */
function withoutLogins(log: string): string {
  return log.replaceAll(", sasl_method=PLAIN, sasl_username=alice@example.com", "");
}

async function readinessDetails(log: string, options: readonly string[]): Promise<string[]> {
  const path = temporary.file(log);
  const result = await runCommand([...OFFLINE_DIAGNOSE, path, ...options, "-f", "json"]);
  expect(result.stderr).toBe("");
  const diagnosis = JSON.parse(result.stdout) as Diagnosis;
  return diagnosis.readiness.items.map((item) => item.detail);
}

describe("diagnose --offline with --domain", () => {
  const log = withoutLogins(blockedLog("gmail.com", GMAIL_NO_PTR));

  test("names the given domain", async () => {
    const details = (await readinessDetails(log, ["--domain", "example.org"])).join("\n");
    expect(details).toContain("`delist check example.org`");
    expect(details).toContain("`delist check example.org --ip 203.0.113.10`");
    expect(details).not.toMatch(/\bDOMAIN\b/);
    expect(details).not.toContain("your sending domain");
  });

  test("names every given domain", async () => {
    const options = ["--domain", "example.org", "example.net"];
    const details = (await readinessDetails(log, options)).join("\n");
    expect(details).toContain("`delist check example.org example.net`");
  });

  test("prefers it to the log's domain", async () => {
    const withLogins = blockedLog("gmail.com", GMAIL_NO_PTR);
    const details = (await readinessDetails(withLogins, ["--domain", "example.org"])).join("\n");
    expect(details).toContain("`delist check example.org`");
    expect(details).not.toContain("delist check example.com");
  });

  test("text report names the given domain", async () => {
    const path = temporary.file(log);
    const result = await runCommand([...OFFLINE_DIAGNOSE, path, "--domain", "example.org"]);
    // The report wraps lines, so the command may break at any space.
    expect(result.stdout).toMatch(/delist\s+check\s+example\.org/);
    expect(result.stdout).not.toMatch(/\bDOMAIN\b/);
  });

  test("takes the relay client's sender domain without it", async () => {
    // Without logins the client relays without SMTP AUTH, and its envelope senders name the
    // domain.
    const details = (await readinessDetails(log, [])).join("\n");
    expect(details).toContain("`delist check example.com`");
    expect(details).not.toMatch(/\bDOMAIN\b/);
  });
});

describe("diagnose --offline with --ip", () => {
  const log = withoutLogins(blockedLog("gmail.com", GMAIL_UNSOLICITED_NO_IP));

  test("names the given IP", async () => {
    const options = ["--domain", "example.org", "--ip", "192.0.2.7"];
    const details = (await readinessDetails(log, options)).join("\n");
    expect(details).toContain("`delist check example.org --ip 192.0.2.7`");
    expect(details).not.toContain("YOUR.SENDING.IP");
  });

  test("keeps the IP placeholder without it", async () => {
    const details = (await readinessDetails(log, ["--domain", "example.org"])).join("\n");
    expect(details).toContain("`delist check example.org --ip YOUR.SENDING.IP`");
  });

  test("yields to the IP a reply named", async () => {
    const named = withoutLogins(blockedLog("gmail.com", GMAIL_NO_PTR));
    const options = ["--domain", "example.org", "--ip", "192.0.2.7"];
    const details = (await readinessDetails(named, options)).join("\n");
    expect(details).toContain("`delist check example.org --ip 203.0.113.10`");
  });

  test("keeps the reply's IP beside it", async () => {
    const named = withoutLogins(blockedLog("gmail.com", GMAIL_NO_PTR));
    const options = ["--domain", "example.org", "--ip", "192.0.2.7"];
    const details = (await readinessDetails(named, options)).join("\n");
    expect(details).toContain("`delist blocklists 203.0.113.10 192.0.2.7 example.org`");
  });
});
