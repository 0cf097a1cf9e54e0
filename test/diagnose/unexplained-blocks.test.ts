import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles } from "../helpers/diagnose-text.js";
import { blockedLog, GMAIL_DOMAIN_REPUTATION } from "../helpers/blocked-log.js";
import { SENT, type Outcome } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validate = schemaValidator("diagnose.schema.json");

/** Gmail's rejection of mail sent directly from a dynamic or residential range. */
const GMAIL_DIRECT_DELIVERY: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10] The IP you're using to send mail is not authorized to 550-5.7.1 send email directly to our servers. 550 5.7.1 d4si5 - gsmtp",
};

function gmailLog(outcome: Outcome): string {
  return blockedLog("gmail.com", outcome);
}

async function diagnose(text: string, format: string): Promise<string> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", format]);
  expect(result.stderr).toBe("");
  return result.stdout;
}

describe("Gmail block for domain reputation", () => {
  const text = gmailLog(GMAIL_DOMAIN_REPUTATION);

  test("is an unexplained block in JSON", async () => {
    const json: unknown = JSON.parse(await diagnose(text, "json"));
    const diagnosis = json as Diagnosis;
    expect(validate(json)).toEqual([]);
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.unexplainedBlocks).toHaveLength(1);
    expect(diagnosis.unexplainedBlocks[0]?.provider).toBe("gmail");
    expect(diagnosis.unexplainedBlocks[0]?.summary).toBe(
      "No finding in the log explains why Gmail rejects mail from this server.",
    );
    expect(diagnosis.unexplainedBlocks[0]?.reasons.map((reason) => reason.ruleId)).toEqual([
      "gmail.domain-low-reputation",
    ]);
    expect(diagnosis.unexplainedBlocks[0]?.reasons[0]?.count).toBe(12);
  });

  test("gives the fixes of explain", async () => {
    const diagnosis = JSON.parse(await diagnose(text, "json")) as Diagnosis;
    const explained = await runCommand(["explain", GMAIL_DOMAIN_REPUTATION.reply, "-f", "json"]);
    const reply = JSON.parse(explained.stdout) as { ruleId: string; fix: string[] };
    expect(reply.ruleId).toBe("gmail.domain-low-reputation");
    expect(reply.fix.length).toBeGreaterThan(0);
    expect(diagnosis.unexplainedBlocks[0]?.reasons[0]?.fix).toEqual(reply.fix);
  });

  test("leaves the cause unknown", async () => {
    const diagnosis = JSON.parse(await diagnose(text, "json")) as Diagnosis;
    const cause = diagnosis.readiness.items.find((item) => item.id === "cause-identified");
    expect(cause?.status).toBe("unknown");
    expect(cause?.detail).toContain("Check DNS, blocklists and the message content");
  });

  test("fills the text Findings section", async () => {
    const lines = (await diagnose(text, "text")).split("\n");
    const heading = lines.indexOf("Findings");
    expect(heading).toBeGreaterThan(-1);
    const section = lines.slice(heading + 1, lines.indexOf("Removal readiness"));
    expect(section[1]).toBe(
      "  No finding in the log explains why Gmail rejects mail from this server.",
    );
    expect(section).toContain("  The fixes that Gmail's replies name:");
    expect(section.join("\n")).toContain("rule gmail.domain-low-reputation");
    expect(section.join("\n")).toMatch(/ {6}1\. Find what sent the unwanted mail/);
    expect(section.join("\n")).toMatch(/ {6}2\. Watch the IP and domain reputation/);
  });
});

describe("Gmail block that a finding explains", () => {
  test("lists no unexplained block", async () => {
    const diagnosis = JSON.parse(
      await diagnose(gmailLog(GMAIL_DIRECT_DELIVERY), "json"),
    ) as Diagnosis;
    expect(diagnosis.findings.map((finding) => finding.id)).toEqual(["ip-blocklisted"]);
    expect(diagnosis.unexplainedBlocks).toEqual([]);
  });

  test("prints no unexplained sentence", async () => {
    const output = await diagnose(gmailLog(GMAIL_DIRECT_DELIVERY), "text");
    expect(output).not.toContain("No finding in the log explains");
  });
});

describe("log without blocks", () => {
  test("lists no unexplained block", async () => {
    const diagnosis = JSON.parse(await diagnose(gmailLog(SENT), "json")) as Diagnosis;
    expect(diagnosis.findings.map((finding) => finding.id)).toEqual(["healthy"]);
    expect(diagnosis.unexplainedBlocks).toEqual([]);
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("compromised account scenario", () => {
  test("explains Gmail's reputation block", async () => {
    const path = corpusPath(root ?? "", "logs", "scenarios", "01-compromised-sasl-postfix.log");
    const diagnosis = await diagnoseFiles([path], { year: 2024 });
    const gmail = diagnosis.providers.gmail;
    const compromised = diagnosis.findings.find((finding) => finding.id === "compromised-account");
    expect(gmail?.status).toBe("blocked");
    expect(gmail?.reasons.some((reason) => reason.category === "reputation")).toBe(true);
    expect(compromised?.role).toBe("cause");
    expect(diagnosis.unexplainedBlocks).toEqual([]);
  });
});
