import { afterEach, describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";

// Postfix address verification (`reject_unverified_recipient`, `sendmail -bv`) connects to the
// recipient's MX and stops after RCPT TO. Its results carry no mail.
const PROBE_RELAY = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5";

interface ProvidersJson {
  readonly providers: Record<string, { readonly status: string; readonly sent: number }>;
}

function probeLog(): PostfixLog {
  const log = new PostfixLog().submitHourly({
    hours: 6,
    recipient: (hour) => `partner${hour}@example.net`,
  });
  for (let probe = 0; probe < 12; probe++) {
    const id = `AE11A4${(0x11b00 + probe).toString(16).toUpperCase()}`;
    const stamp = new Date(T0 + 5 * HOUR + probe * 60_000).toISOString().replace("Z", "+00:00");
    log.raw(
      T0 + 5 * HOUR + probe * 60_000,
      `${stamp} mail postfix/smtp[3262]: ${id}: to=<user${probe}@gmail.com>, ${PROBE_RELAY}, dsn=2.1.5, status=deliverable (250 2.1.5 OK z9si2585300wrl.340 - gsmtp)`,
    );
  }
  return log;
}

let remove = (): void => undefined;
afterEach(() => remove());

describe("Postfix address verification probes", () => {
  it("give Gmail no verdict when they are all Gmail saw", async () => {
    const file = writeTemporaryLog(probeLog().text());
    remove = file.remove;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", file.path]);
    const diagnosis = JSON.parse(result.stdout) as ProvidersJson;
    expect(diagnosis.providers.gmail).toBeUndefined();
    expect(diagnosis.providers.other).toMatchObject({ status: "ok", sent: 6 });
  });

  it("explain reads a 250 with a recipient status code as success", async () => {
    const result = await runCommand([
      "explain",
      "--format",
      "json",
      "250 2.1.5 OK z9si2585300wrl.340 - gsmtp",
    ]);
    const explained = JSON.parse(result.stdout) as { ruleId: string; category: string };
    expect(explained.ruleId).toBe("generic.success-status");
    expect(explained.category).not.toBe("recipient");
  });

  it("explain still reads 4xx and 5xx recipient codes as refused addresses", async () => {
    const result = await runCommand(["explain", "--format", "json", "450 4.1.0 try again"]);
    expect(JSON.parse(result.stdout)).toMatchObject({ category: "recipient" });
  });
});

describe("Postfix address verification probes that the receiver refuses", () => {
  it("still show Gmail's block", async () => {
    const log = new PostfixLog().submitHourly({
      hours: 6,
      recipient: (hour) => `partner${hour}@example.net`,
    });
    for (let probe = 0; probe < 12; probe++) {
      const time = T0 + 5 * HOUR + probe * 60_000;
      const stamp = new Date(time).toISOString().replace("Z", "+00:00");
      log.raw(
        time,
        `${stamp} mail postfix/smtp[3262]: 1B2C3D${(0x100 + probe).toString(16).toUpperCase()}: to=<user${probe}@gmail.com>, ${PROBE_RELAY}, dsn=5.7.1, status=undeliverable (host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. b2si3 - gsmtp (in reply to RCPT TO command))`,
      );
    }
    const file = writeTemporaryLog(log.text());
    remove = file.remove;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", file.path]);
    const diagnosis = JSON.parse(result.stdout) as ProvidersJson;
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
  });
});
