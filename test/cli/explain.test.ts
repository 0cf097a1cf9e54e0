import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/cli/explain.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

const run = runCommand;

const TSS04 =
  "421 4.7.0 [TSS04] Messages from 203.0.113.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

describe("delist explain", () => {
  it("explains words joined with spaces", async () => {
    const result = await run(["explain", ...TSS04.split(" ")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("421 4.7.0");
    expect(result.stdout).toContain("Yahoo/AOL");
    expect(result.stdout).toContain("yahoo.deferred-complaints");
    expect(result.stdout).toContain("203.0.113.25");
    expect(result.stderr).toBe("");
  });

  it("wraps text output at 80 columns without colour off a TTY", async () => {
    const result = await run(["explain", TSS04]);
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("colours a TTY unless NO_COLOR is set", async () => {
    expect((await run(["explain", TSS04], "", {}, true)).stdout).toContain("\u001b[");
    expect((await run(["explain", TSS04], "", { NO_COLOR: "1" }, true)).stdout).not.toContain(
      "\u001b[",
    );
  });

  it("prints Markdown for a ticket", async () => {
    const result = await run(["explain", "--format", "markdown", TSS04]);
    const lines = result.stdout.split("\n");

    expect(result.code).toBe(1);
    expect(lines[0]).toBe("### 421 4.7.0 · Yahoo/AOL · temporary failure");
    expect(result.stdout).toContain("(rule `yahoo.deferred-complaints`)");
    expect(result.stdout).toMatch(/^1\. /m);
    expect(result.stdout).toContain("- **Judged IP:** 203.0.113.25");
    expect(result.stdout).toContain(`\`\`\`\n${TSS04.slice(10)}\n\`\`\`\n`);
  });

  it("fences a reply that contains backticks", () => {
    const explained = createReplyClassifier().explain("550 5.1.1 unknown user");
    const markdown = renderMarkdown({ ...explained, text: "unknown ``` user" });

    expect(markdown).toContain("\n````\nunknown ``` user\n````\n");
  });

  it("prints the JSON fields", async () => {
    const result = await run(["explain", "--format", "json", TSS04]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(result.code).toBe(1);
    expect(output["schemaVersion"]).toBe(1);
    expect(output["replyCode"]).toBe(421);
    expect(output["enhancedStatus"]).toBe("4.7.0");
    expect(output["provider"]).toBe("yahoo");
    expect(output["category"]).toBe("reputation");
    expect(output["ruleId"]).toBe("yahoo.deferred-complaints");
    expect(output["permanent"]).toBe(false);
    expect(output["providerToken"]).toBe("TSS04");
    expect(output["judgedIp"]).toBe("203.0.113.25");
    expect(output["findings"]).toEqual(["rate-limited"]);
    expect(Array.isArray(output["fix"])).toBe(true);
    expect(output["reference"]).toMatch(/^https:\/\//);
  });

  it("reads standard input for -", async () => {
    const bounce =
      "Diagnostic-Code: smtp; 550 5.1.1 <user1@example.net>:\n    Recipient address rejected: User unknown\n";
    const result = await run(["explain", "--format", "json", "-"], bounce);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["replyCode"]).toBe(550);
    expect(output["enhancedStatus"]).toBe("5.1.1");
    expect(output["category"]).toBe("recipient");
    expect(result.code).toBe(1);
  });

  it("exits 0 for a 2xx reply", async () => {
    const result = await run(["explain", "250 2.0.0 OK"]);
    expect(result.code).toBe(0);
  });

  it("exits 1 for text without a reply code", async () => {
    expect((await run(["explain", "something", "odd"])).code).toBe(1);
  });

  it("exits 2 for empty input", async () => {
    const result = await run(["explain"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no reply to explain");
    expect((await run(["explain", "-"], "  \n")).code).toBe(2);
  });

  it("exits 2 for a bad format", async () => {
    const result = await run(["explain", "--format", "xml", "550 5.1.1 x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --format "xml"');
  });
});

describe("delist explain outcome", () => {
  it("calls a 2xx reply a success", async () => {
    const result = await run(["explain", "250 2.0.0 OK"]);
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header).toContain("success");
    expect(header).not.toContain("temporary");
    expect(result.code).toBe(0);
  });

  it("gives no outcome for text without codes", async () => {
    const result = await run(["explain", "hello", "world"]);
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header).toContain("no reply code");
    expect(header).toContain("outcome unknown");
    expect(header).not.toContain("temporary");
    expect(result.code).toBe(1);
  });

  it("labels a codeless block permanent", async () => {
    const block =
      "[192.0.2.25 1] Gmail has detected an unusual rate of unsolicited mail originating from " +
      "your IP address. To protect our users from spam, mail sent from your IP address has " +
      "been blocked. For more information, go to " +
      "https://support.google.com/mail/?p=UnsolicitedIPError a1si1 - gsmtp";
    const result = await run(["explain", block]);
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header).toContain("no reply code");
    expect(header).toContain("permanent failure (from the reply text)");
    expect(result.stdout).toContain("rule gmail.ip-block");
    expect(result.stdout).not.toContain("let the queue retry");
  });

  it("labels a codeless deferral temporary", async () => {
    const result = await run(["explain", "--format", "markdown", TSS04.slice(10)]);
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header).toBe("### no reply code · Yahoo/AOL · temporary failure (from the reply text)");
  });

  it("prints codeless S3150 as permanent", async () => {
    const s3150 =
      "Unfortunately, messages from [192.0.2.47] weren't sent. Please contact your Internet " +
      "service provider since part of their network is on our block list (S3150).";
    const result = await run(["explain", "--format", "json", s3150]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    expect(output["replyCode"]).toBeNull();
    expect(output["permanent"]).toBe(true);
  });

  it("keeps words before Yahoo's code", async () => {
    const bl23 =
      "Mail from 192.0.2.21 not allowed - 5.7.1 [BL23] Connections not accepted from IP " +
      "addresses on Spamhaus XBL";
    const result = await run(["explain", "--format", "json", bl23]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["ruleId"]).toBe("yahoo.spamhaus-xbl");
    expect(output["judgedIp"]).toBe("192.0.2.21");
    expect(output["text"]).toMatch(/^Mail from 192\.0\.2\.21 not allowed/);
  });

  it("takes the outcome from an enhanced code alone", async () => {
    const result = await run(["explain", "5.7.1 Service unavailable"]);
    expect(result.stdout.split("\n")[0]).toContain("5.7.1 (no reply code)");
    expect(result.stdout.split("\n")[0]).toContain("permanent failure");
  });

  it("reads no reply code out of an address in a pasted notice", async () => {
    const notice = [
      "Received-SPF: pass (example.com: 2001:db8:4002:c05::247 is permitted sender)",
      "        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=256 verify=NO);",
      "",
      "Delivery to user1@example.org has been delayed.",
      "Message will be retried for 2 more day(s)",
    ].join("\n");
    const result = await run(["explain", "--format", "json", "-"], notice);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["replyCode"]).toBeNull();
    expect(result.code).toBe(1);
  });

  it("separates every detail label from its value", async () => {
    const result = await run([
      "explain",
      "host gmail-smtp-in.l.google.com[192.0.2.204] said: 550-5.7.1 [203.0.113.5 12] blocked. a1si1.2 - gsmtp (in reply to end of DATA command)",
    ]);
    expect(result.stdout).toContain("Remote host: gmail-smtp-in.l.google.com [192.0.2.204]");
    for (const line of result.stdout.split("\n")) expect(line).not.toMatch(/^[A-Z][\w ]*:\S/);
  });

  it("marks an empty reply text", async () => {
    const result = await run(["explain", "550"]);
    expect(result.stdout).toMatch(/Reply text:\n {2}\(empty\)/);
  });
});

describe("explain JSON schema", () => {
  it("lists exactly the fields the command prints", async () => {
    const schema = JSON.parse(
      readFileSync(join(process.cwd(), "docs", "explain.schema.json"), "utf8"),
    ) as {
      required: string[];
      properties: Record<string, unknown>;
    };
    const output = JSON.parse((await run(["explain", "--format", "json", TSS04])).stdout) as Record<
      string,
      unknown
    >;
    expect(Object.keys(output).sort()).toEqual([...schema.required].sort());
    expect(Object.keys(schema.properties).sort()).toEqual([...schema.required].sort());
  });

  it("matches the schema", async () => {
    const validate = schemaValidator("explain.schema.json");
    for (const reply of [TSS04, "550"]) {
      const result = await run(["explain", "--format", "json", reply]);
      expect(validate(JSON.parse(result.stdout))).toEqual([]);
    }
  });
});
