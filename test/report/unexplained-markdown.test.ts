import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { blockedLog, GMAIL_DOMAIN_REPUTATION } from "../helpers/blocked-log.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

describe("Markdown report of an unexplained block", () => {
  test("fills the Findings section", async () => {
    const path = temporary.file(blockedLog("gmail.com", GMAIL_DOMAIN_REPUTATION));
    const result = await runCommand([...OFFLINE_DIAGNOSE, path, "-f", "markdown"]);
    const markdown = result.stdout;
    const section = markdown.slice(
      markdown.indexOf("## Findings"),
      markdown.indexOf("## Removal readiness"),
    );
    expect(result.stderr).toBe("");
    expect(section).toContain(
      "**No finding in the log explains why Gmail rejects mail from this server.**",
    );
    expect(section).toContain("The fixes that Gmail's replies name:");
    expect(section).toContain("rule `gmail.domain-low-reputation`");
    expect(section).toMatch(/\n {2}1\. Find what sent the unwanted mail/);
    expect(section).toMatch(/\n {2}2\. Watch the IP and domain reputation/);
  });
});
