import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { year: 2024 });
}

/**
 * Writes two days of contact-form mail from www-data, then a burst from one local user that
 * Gmail blocks. The burst is logged as stock Postfix logs a PHP-FPM pool of that user: a bare
 * `from=<user>` and no X-PHP-Originating-Script line.
 */
function siteUserBurst(uid: number, user: string): string {
  const log = new PostfixLog("mx");
  for (let hour = 0; hour < 48; hour += 2) {
    log.pickup({
      time: T0 + hour * HOUR + 300_000,
      uid: 33,
      user: "www-data",
      recipients: [{ address: `owner${hour}@example.net` }],
    });
  }
  for (let i = 0; i < 60; i++) {
    log.pickup({
      time: T0 + 26 * HOUR + i * 55_000,
      uid,
      user,
      recipients: [{ address: `victim${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  return log.text();
}

function scriptFinding(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "web-script");
}

describe("web-script of a non-root user", () => {
  test("title calls it bulk mail", async () => {
    const script = scriptFinding(await diagnose(siteUserBurst(1002, "tideweblog")));

    expect(script?.title).toBe(
      "A new local program sent bulk mail that receivers block: local user tideweblog, uid 1002",
    );
    expect(script?.title).not.toContain("A web script");
  });

  test("fixes cover cron and PHP", async () => {
    const script = scriptFinding(await diagnose(siteUserBurst(1002, "tideweblog")));
    const fixes = script?.fix.join("\n") ?? "";

    expect(fixes).toContain("the crontab of tideweblog (`crontab -l -u tideweblog`)");
    expect(fixes).toContain("`ps -u tideweblog`");
    expect(fixes).toContain("update the CMS and its plugins");
    expect(fixes).toContain("`mail.add_x_header = On`");
    expect(fixes).toContain("`/^X-PHP-Originating-Script:/ WARN`");
    expect(fixes).toContain("postsuper -h -");
    expect(fixes).not.toContain("postsuper -d");
    expect(fixes).toContain("rate limit");
  });

  test("evidence marks no web sign", async () => {
    const script = scriptFinding(await diagnose(siteUserBurst(1002, "tideweblog")));
    const evidence = script?.evidence as Record<string, unknown> | undefined;

    expect(evidence?.["webSource"]).toBe(false);
    expect(evidence?.["runsAsRoot"]).toBe(false);
    expect(evidence?.["localUser"]).toBe("tideweblog");
  });

  test("web server user keeps script wording", async () => {
    const script = scriptFinding(await diagnose(siteUserBurst(48, "apache")));

    expect(script?.title).toBe("A web script is sending mail: local user apache, uid 48");
    expect(script?.fix.join("\n")).not.toContain("crontab");
  });
});
