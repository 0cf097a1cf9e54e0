import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

interface Json {
  providers: Record<string, { status: string; ongoing: boolean }>;
  findings: Array<{ id: string; severity: string }>;
}

/** Runs diagnose on 60 delivered Gmail messages and `rejected` messages rejected as spam. */
async function diagnose(rejected: number): Promise<Json> {
  const log = new PostfixLog();
  for (let index = 0; index < 60; index++) {
    log.submit({
      time: T0 + index * 60_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@gmail.com` }],
    });
  }
  for (let index = 0; index < rejected; index++) {
    log.submit({
      time: T0 + HOUR + index * 60_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `other${index}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  const path = temporary.file(log.text());
  const result = await runCommand(["diagnose", path, "--offline", "--format", "json"]);
  return JSON.parse(result.stdout) as Json;
}

describe("isolated spam rejections", () => {
  test("one rejection is not a block", async () => {
    const json = await diagnose(1);
    expect(json.providers["gmail"]?.status).toBe("ok");
    expect(json.providers["gmail"]?.ongoing).toBe(false);
    const content = json.findings.find((finding) => finding.id === "spam-content");
    expect(content?.severity).toBe("warning");
  });

  test("three rejections are a block", async () => {
    const json = await diagnose(3);
    expect(json.providers["gmail"]?.status).toBe("blocked");
    const content = json.findings.find((finding) => finding.id === "spam-content");
    expect(content?.severity).toBe("critical");
  });
});
