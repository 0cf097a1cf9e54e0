import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { POSTFIX_DSN } from "../bounce/fixtures.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

// example.com is set up well in this zone, with a PTR for 192.0.2.25.
const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const temporary = temporaryFiles();

/**
 * Gmail's block of unsolicited mail, naming 192.0.2.25 as the sending IP, so that the IP of
 * `--ip` is the one Gmail judged and the DNS checks cover no other.
 */
const GMAIL_UNSOLICITED_FROM_25 = {
  ...GMAIL_UNSOLICITED,
  reply: GMAIL_UNSOLICITED.reply.replace("203.0.113.10", "192.0.2.25"),
};

/** Runs diagnose on a blocked log, a bounce folder with one unreadable file, and the zone. */
async function diagnose(format: "text" | "markdown"): Promise<string> {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${hour}@gmail.com`, outcome: GMAIL_UNSOLICITED_FROM_25 }],
    });
  }
  const bounces = temporary.folder({ "a.eml": POSTFIX_DSN, "b.eml": Buffer.alloc(300, 1) });
  const result = await runCommand([
    "diagnose",
    "--timezone",
    "UTC",
    temporary.file(log.text()),
    "--bounces",
    bounces,
    "--offline",
    "--zone",
    zone,
    "--ip",
    "192.0.2.25",
    "--format",
    format,
  ]);
  return result.stdout;
}

describe("Markdown report like the text report", () => {
  test("DNS checks section", async () => {
    const text = await diagnose("text");
    const markdown = await diagnose("markdown");
    const domainLine = /^ {2}example\.com +(SPF .*)$/m.exec(text)?.[1] ?? "";

    expect(domainLine).toMatch(/^SPF pass/);
    expect(markdown).toContain("## DNS checks");
    expect(markdown).toMatch(/^Answers from zone .*example\.zone\.$/m);
    expect(markdown).toContain(`- **example.com**: ${domainLine}`);
    expect(markdown).toContain("- **PTR 192.0.2.25**: mail.example.com, forward-confirmed");
    expect(text).toContain("  Blocklists for 192.0.2.25, example.com: not checked");
    expect(markdown).toMatch(/^Blocklists for 192\.0\.2\.25, example\.com: not checked/m);
  });

  test("skipped bounce note", async () => {
    const markdown = await diagnose("markdown");

    expect(markdown).toContain("**Note:** Skipped 1 message in bounce folders");
    expect(markdown).toContain("Read 1 bounce message from 2 files: 1 failed");
  });

  test("unpassed items get empty task boxes", async () => {
    const markdown = await diagnose("markdown");
    const items = markdown.split("\n").filter((line) => line.includes(" (not-checked): "));

    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item).toMatch(/^- \[ \] \*\*/);
    expect(markdown).not.toMatch(/^- \[[-?]\]/m);
    expect(markdown).toMatch(/^- \[x\] \*\*.*\(pass\): /m);
  });
});
