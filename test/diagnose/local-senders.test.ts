import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { year: 2024 });
}

/** Writes two days of a small web server: one contact-form mail from www-data every two hours. */
function contactForms(log: PostfixLog): void {
  for (let hour = 0; hour < 48; hour += 2) {
    log.pickup({
      time: T0 + hour * HOUR + 300_000,
      uid: 33,
      user: "www-data",
      recipients: [{ address: `owner${hour}@example.net` }],
    });
  }
}

/** Submits 60 messages of one local program in the hour that starts 26 hours after T0. */
function burstOf(
  log: PostfixLog,
  uid: number,
  user: string,
  outcome?: typeof GMAIL_UNSOLICITED,
): void {
  for (let i = 0; i < 60; i++) {
    log.pickup({
      time: T0 + 26 * HOUR + i * 55_000,
      uid,
      user,
      recipients: [
        { address: `report${i}@gmail.com`, ...(outcome === undefined ? {} : { outcome }) },
      ],
    });
  }
}

function scriptFindings(diagnosis: Diagnosis): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === "web-script");
}

describe("web-script and other local programs", () => {
  test("root's cron burst is no web script", async () => {
    const log = new PostfixLog("mx");
    contactForms(log);
    burstOf(log, 0, "root");
    const diagnosis = await diagnose(log.text());

    expect(scriptFindings(diagnosis)).toEqual([]);
    expect(diagnosis.findings.some((finding) => finding.severity === "critical")).toBe(false);
    expect(diagnosis.verdict.status).toBe("ok");
  });

  test("user's cron burst without blocks is quiet", async () => {
    const log = new PostfixLog("mx");
    contactForms(log);
    burstOf(log, 1001, "reports");
    const diagnosis = await diagnose(log.text());

    expect(scriptFindings(diagnosis)).toEqual([]);
  });

  test("user's burst that Gmail blocks", async () => {
    const log = new PostfixLog("mx");
    contactForms(log);
    burstOf(log, 1001, "reports", GMAIL_UNSOLICITED);
    const diagnosis = await diagnose(log.text());
    const [script] = scriptFindings(diagnosis);

    // Without a sign of a web site the run may be an intended campaign, so it is no abuse alert.
    expect(script?.severity).toBe("warning");
    expect(script?.title).toBe(
      "A new local program sent bulk mail that receivers block: local user reports, uid 1001",
    );
    expect(script?.fix.join(" ")).toContain("`crontab -l -u reports`");
  });

  test("uid with two sender names", async () => {
    const log = new PostfixLog("mx");
    contactForms(log);
    // One program sends with `-f orders`, another with `-f news`, both as uid 1001, so neither
    // bare pickup sender is the Unix user.
    for (let i = 0; i < 60; i++) {
      log.pickup({
        time: T0 + 26 * HOUR + i * 55_000,
        uid: 1001,
        user: i % 6 === 0 ? "orders" : "news",
        recipients: [{ address: `report${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
      });
    }
    const diagnosis = await diagnose(log.text());
    const [script] = scriptFindings(diagnosis);

    expect(script?.title).toMatch(/: local uid 1001$/);
    expect((script?.evidence as Record<string, unknown>)["localUser"]).toBeNull();
  });

  test("web server uid is a web script", async () => {
    const log = new PostfixLog("mx");
    contactForms(log);
    // The Unix user is taken from a bare pickup `from=<user>`, so a sender with a domain leaves
    // only the uid.
    burstOf(log, 48, "site@example.com");
    const diagnosis = await diagnose(log.text());
    const [script] = scriptFindings(diagnosis);

    expect(script?.severity).toBe("critical");
    expect(script?.title).toBe("A web script is sending mail: local uid 48");
    expect((script?.evidence as Record<string, unknown>)["webSource"]).toBe(true);
  });

  test("root from a hidden directory", async () => {
    const lines: string[] = [];
    const stamp = (hour: number, second: number) => {
      const date = new Date(T0 + hour * HOUR + second * 1000);
      return date.toISOString().slice(0, 19).replace("T", " ");
    };
    // Exim main log lines, as Exim 4.9x writes them with log_selector +arguments.
    for (let hour = 0; hour < 48; hour += 2) {
      const id = `1rA${String(hour).padStart(3, "0")}-000001-AB`;
      lines.push(`${stamp(hour, 60)} cwd=/var/spool/cron 3 args: /usr/sbin/sendmail -t -i`);
      lines.push(`${stamp(hour, 60)} ${id} <= cron@mx.example.com U=root P=local S=900`);
      lines.push(
        `${stamp(hour, 61)} ${id} => owner${hour}@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.25] C="250 OK"`,
      );
      lines.push(`${stamp(hour, 61)} ${id} Completed`);
    }
    for (let i = 0; i < 60; i++) {
      const id = `1rB${String(i).padStart(3, "0")}-000002-AB`;
      const second = i * 55;
      lines.push(`${stamp(26, second)} cwd=/tmp/.x 3 args: /usr/sbin/sendmail -t -i`);
      lines.push(`${stamp(26, second)} ${id} <= root@mx.example.com U=root P=local S=1200`);
      lines.push(
        `${stamp(26, second + 1)} ${id} => victim${i}@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27] C="250 2.0.0 OK"`,
      );
      lines.push(`${stamp(26, second + 1)} ${id} Completed`);
    }
    // A stable sort by time keeps each cwd= line before the message it belongs to.
    lines.sort((a, b) => a.slice(0, 19).localeCompare(b.slice(0, 19)));
    const diagnosis = await diagnose(`${lines.join("\n")}\n`);
    const scripts = scriptFindings(diagnosis);

    expect(diagnosis.input.unrecognised).toBe(0);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.title).toBe(
      "A program running as root is sending mail from a suspicious directory: local in /tmp/.x, user root",
    );
    expect(scripts[0]?.fix.join(" ")).toContain("reinstall");
  });
});
