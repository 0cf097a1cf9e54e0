import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const GUESSING_ADDRESSES = ["192.0.2.7", "192.0.2.8", "192.0.2.9"];

/**
 * Builds a Sendmail log of `failures` failed SMTP AUTH logins from three addresses on 5 March
 * 2024, one a second from 10:00, followed by the `extra` lines.
 */
function sendmailGuessingLog(failures: number, extra: readonly string[]): string {
  const lines: string[] = [];
  for (let index = 0; index < failures; index++) {
    const stamp = new Date(Date.UTC(2024, 2, 5, 10, 0, index)).toISOString().slice(11, 19);
    const ip = GUESSING_ADDRESSES[index % GUESSING_ADDRESSES.length] ?? "192.0.2.7";
    lines.push(
      `Mar  5 ${stamp} mail sendmail[${5000 + index}]: 425A0000${String(index).padStart(6, "0")}: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=user${index % 10}, relay=[${ip}]`,
    );
  }
  return `${[...lines, ...extra].join("\n")}\n`;
}

function guessingFinding(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find(
    (found) =>
      found.id === "compromised-account" &&
      (found.evidence as { kind?: string }).kind === "password-guessing",
  );
}

describe("Sendmail password guessing with a login", () => {
  test("NOQID login from a guessing address warns", async () => {
    const log = sendmailGuessingLog(1200, [
      "Mar  5 17:00:00 mail sendmail[9999]: AUTH=server, relay=[192.0.2.7], authid=user3, mech=LOGIN, bits=0",
    ]);
    const found = guessingFinding(await diagnoseText(log, { year: 2024 }));

    expect(found?.severity).toBe("warning");
    expect((found?.evidence as Record<string, unknown>)["guessedLogins"]).toEqual([
      { account: "user3", ip: "192.0.2.7", failures: 400 },
    ]);
    expect(found?.summary).toContain("user3 logged in from 192.0.2.7, which failed 400 logins.");
    expect(found?.summary).not.toContain("No address that failed many logins also logged in");
  });

  test("NOQUEUE login from a guessing address warns", async () => {
    const log = sendmailGuessingLog(1200, [
      "Mar  5 17:00:00 mail sendmail[9999]: NOQUEUE: AUTH=server, relay=[192.0.2.8], authid=user4, mech=PLAIN, bits=0",
    ]);
    const found = guessingFinding(await diagnoseText(log, { year: 2024 }));

    expect(found?.severity).toBe("warning");
    expect((found?.evidence as Record<string, unknown>)["guessedLogins"]).toEqual([
      { account: "user4", ip: "192.0.2.8", failures: 400 },
    ]);
  });

  test("login from another address stays information", async () => {
    const log = sendmailGuessingLog(1200, [
      "Mar  5 17:00:00 mail sendmail[9999]: AUTH=server, relay=[198.51.100.30], authid=user3, mech=LOGIN, bits=0",
    ]);
    const found = guessingFinding(await diagnoseText(log, { year: 2024 }));

    expect(found?.severity).toBe("info");
    expect((found?.evidence as Record<string, unknown>)["guessedLogins"]).toEqual([]);
    expect(found?.summary).toContain("No address that failed many logins also logged in");
  });

  test("failures alone name the Sendmail jail", async () => {
    const diagnosis = await diagnoseText(sendmailGuessingLog(1200, []), { year: 2024 });
    const banStep = guessingFinding(diagnosis)?.fix.find((step) => step.includes("fail2ban"));

    expect(diagnosis.input.mtas).toEqual(["sendmail"]);
    expect(banStep).toContain("Sendmail: the `sendmail-auth` jail.");
    expect(banStep).not.toContain("Postfix");
    expect(banStep).not.toContain("Exim");
  });
});
