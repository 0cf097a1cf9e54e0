import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const REJECTED: Outcome = {
  ...GMAIL_UNSOLICITED,
  reply: GMAIL_UNSOLICITED.reply.replace("has been blocked.", "has been blocked. Сообщение 日本"),
};

/** Writes a log whose account, recipients and replies are UTF-8. */
function utf8Log(): string {
  const log = new PostfixLog();
  for (let index = 0; index < 5; index++) {
    log.submit({
      time: T0 + index * 60_000,
      account: "Ünïcödé@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `käufer${index}@gmail.com`, outcome: REJECTED }],
    });
  }
  return temporary.file(log.text());
}

describe("UTF-8 in reports", () => {
  it("keeps diagnose JSON values", async () => {
    const result = await runCommand(["diagnose", utf8Log(), "--offline", "--format", "json"]);
    const json = JSON.parse(result.stdout) as {
      providers: { gmail?: { firstBlock: { text: string; recipient: string } } };
    };
    expect(json.providers.gmail?.firstBlock.text).toContain("Сообщение 日本");
    expect(json.providers.gmail?.firstBlock.recipient).toBe("käufer0@gmail.com");
    expect(result.stdout).not.toContain("Ã");
  });

  it("shows diagnose text", async () => {
    const result = await runCommand(["diagnose", utf8Log(), "--offline"]);
    expect(result.stdout).toContain("日本");
    expect(result.stdout).not.toContain("Ã");
  });
});
