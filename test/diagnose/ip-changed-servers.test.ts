import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { diagnoseTexts } from "../helpers/diagnose-text.js";

function diagnose(texts: readonly string[]): Promise<Diagnosis> {
  return diagnoseTexts(texts, { year: 2024 });
}

/** Gmail's rate-limit reply naming `ip` as the sending IP. */
function rateLimitFor(ip: string): Outcome {
  return { ...GMAIL_RATE_LIMIT, reply: GMAIL_RATE_LIMIT.reply.replace("203.0.113.10", ip) };
}

/** Sends ten messages to Gmail from `first` to `last` hours after T0, deferred naming `ip`. */
function deferredNaming(log: PostfixLog, ip: string, first: number, last: number): void {
  for (let i = 0; i < 10; i++) {
    log.submit({
      time: T0 + (first + ((last - first) * i) / 9) * HOUR,
      account: "office@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${first}-${i}@gmail.com`, outcome: rateLimitFor(ip) }],
    });
  }
}

/** Merges logs with RFC 3339 timestamps into one text, in time order. */
function merged(...logs: PostfixLog[]): string {
  const lines = logs.flatMap((log) => log.text().trimEnd().split("\n"));
  lines.sort((a, b) => a.slice(0, 25).localeCompare(b.slice(0, 25)));
  return `${lines.join("\n")}\n`;
}

function ipChanged(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "ip-changed");
}

describe("ip-changed with several servers", () => {
  test("one server changing its IP", async () => {
    const log = new PostfixLog("mail");
    deferredNaming(log, "203.0.113.10", 0, 10);
    deferredNaming(log, "203.0.113.20", 20, 30);
    const found = ipChanged(await diagnose([log.text()]));

    expect(found?.title).toBe("The sending IP changed from 203.0.113.10 to 203.0.113.20");
    expect((found?.evidence as Record<string, unknown>)["server"]).toBe("mail");
  });

  test("two hosts in one log", async () => {
    const first = new PostfixLog("mail");
    const second = new PostfixLog("relay2");
    deferredNaming(first, "203.0.113.10", 0, 10);
    deferredNaming(second, "203.0.113.20", 20, 30);
    const diagnosis = await diagnose([merged(first, second)]);

    expect(ipChanged(diagnosis)).toBeUndefined();
  });

  test("two hosts in two files", async () => {
    const first = new PostfixLog("mail");
    const second = new PostfixLog("relay2");
    deferredNaming(first, "203.0.113.10", 0, 10);
    deferredNaming(second, "203.0.113.20", 20, 30);
    const diagnosis = await diagnose([first.text(), second.text()]);

    expect(ipChanged(diagnosis)).toBeUndefined();
  });

  test("one of two hosts changing", async () => {
    const first = new PostfixLog("mail");
    const second = new PostfixLog("relay2");
    deferredNaming(first, "203.0.113.10", 0, 10);
    deferredNaming(second, "203.0.113.20", 5, 30);
    deferredNaming(first, "203.0.113.30", 20, 30);
    const found = ipChanged(await diagnose([merged(first, second)]));
    const evidence = found?.evidence as Record<string, unknown>;

    expect(found?.title).toBe("The sending IP of mail changed from 203.0.113.10 to 203.0.113.30");
    expect(found?.summary).toContain("mail of 2 servers (mail and relay2)");
    expect(evidence["servers"]).toEqual(["mail", "relay2"]);
  });

  test("Exim log without host names", async () => {
    const postfix = new PostfixLog("mail");
    deferredNaming(postfix, "203.0.113.10", 0, 10);
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      const stamp = new Date(T0 + (20 + i) * HOUR).toISOString().slice(0, 19).replace("T", " ");
      const id = `1rC${String(i).padStart(3, "0")}-000003-AB`;
      lines.push(`${stamp} ${id} <= office@example.org U=office P=local S=900`);
      lines.push(
        `${stamp} ${id} == friend${i}@gmail.com R=dnslookup T=remote_smtp defer (-46) H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after end of data: 421-4.7.28 [203.0.113.20      15] Gmail has detected an unusual rate of unsolicited mail originating\\n421 4.7.28 from your IP address. a1si2 - gsmtp`,
      );
    }
    const diagnosis = await diagnose([postfix.text(), `${lines.join("\n")}\n`]);

    expect(diagnosis.server.sendingIps).toContain("203.0.113.20");
    expect(ipChanged(diagnosis)).toBeUndefined();
  });
});
