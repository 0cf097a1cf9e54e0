import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../../helpers/cli.js";
import { stolenLoginLog } from "./login-log.js";

interface AccountRow {
  key: string;
  messages: number;
  clientIps: number;
  bounced: number;
}

interface Finding {
  id: string;
  evidence: { account?: string; clientIps?: string[]; abusiveSubmissions?: number };
  fix: string[];
}

const OFFICE = ["bob@example.com", "carol@example.com"];

describe("Sendmail log with a stolen SMTP login", () => {
  test("logs lists the SASL accounts", async () => {
    const log = stolenLoginLog({ otherAccounts: OFFICE });
    const run = await runCommand(
      ["logs", "--timezone", "UTC", "--year", "2026", "-f", "json", "-"],
      log,
    );
    const report = JSON.parse(run.stdout) as { accounts: AccountRow[] };
    const byKey = new Map(report.accounts.map((row) => [row.key, row]));

    expect(run.code).toBe(0);
    expect(byKey.get("sales")).toMatchObject({ messages: 600, clientIps: 30, bounced: 600 });
    expect(byKey.get("anna@example.com")).toMatchObject({ messages: 864, clientIps: 1 });
    expect(byKey.get("bob@example.com")?.messages).toBe(72);
    expect(byKey.get("carol@example.com")?.messages).toBe(72);
  });

  test("diagnose finds the compromised account", async () => {
    const log = stolenLoginLog({ otherAccounts: OFFICE });
    const run = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2026", "-f", "json", "-"], log);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    const finding = report.findings.find((item) => item.id === "compromised-account");

    expect(finding?.evidence.account).toBe("sales");
    expect(finding?.evidence.clientIps).toHaveLength(30);
    expect(finding?.evidence.abusiveSubmissions).toBe(600);
    const queueStep = finding?.fix.find((step) => step.startsWith("Delete its queued mail"));
    expect(queueStep).toContain("/var/spool/mqueue");
    expect(queueStep).not.toContain("postsuper");
  });

  test("diagnose finds it on a two-account server too", async () => {
    const log = stolenLoginLog({ otherAccounts: [] });
    const run = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2026", "-f", "json", "-"], log);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    const finding = report.findings.find((item) => item.id === "compromised-account");

    expect(finding?.evidence.account).toBe("sales");
    expect(finding?.evidence.clientIps).toHaveLength(30);
  });

  test("two-account server shows the account in logs", async () => {
    const log = stolenLoginLog({ otherAccounts: [] });
    const run = await runCommand(
      ["logs", "--timezone", "UTC", "--year", "2026", "-f", "json", "-"],
      log,
    );
    const report = JSON.parse(run.stdout) as { accounts: AccountRow[] };

    expect(report.accounts.map((row) => row.key).sort()).toEqual(["anna@example.com", "sales"]);
  });
});
