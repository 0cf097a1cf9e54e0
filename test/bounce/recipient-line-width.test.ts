import { describe, expect, it } from "vitest";
import { columns } from "../../src/report/wrap.js";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

/** Runs `delist bounces` on a one-recipient Postfix DSN for `recipient` and returns its lines. */
async function bouncesText(recipient: string): Promise<string[]> {
  const path = files.file(
    postfixDsn({
      subject: "Undelivered Mail Returned to Sender",
      date: "Wed, 4 Mar 2026 10:00:03 +0000",
      postfixSender: true,
      recipient,
      action: "failed",
      status: "5.1.1",
      remoteMta: "mx.example.org",
      diagnostic: `smtp; 550 5.1.1 <${recipient}>: Recipient address rejected: User unknown`,
    }),
    "bounce.eml",
  );
  const result = await runCommand(["bounces", path]);
  return result.stdout.split("\n");
}

describe("bounces recipient line width", () => {
  it("keeps a short recipient on one line", async () => {
    const lines = await bouncesText("carol@example.org");

    expect(lines).toContain("carol@example.org  userunknown  550 5.1.1  hard: remove the address");
  });

  it("moves the details of a long recipient", async () => {
    const recipient = `newsletter.subscriber.${"x".repeat(30)}@mail.example.org`;
    const lines = await bouncesText(recipient);

    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(80);
    expect(lines).toContain(recipient);
    const index = lines.indexOf(recipient);
    expect(lines[index + 1]).toBe("  userunknown  550 5.1.1  hard: remove the address");
  });

  it("breaks a recipient wider than a line", async () => {
    const recipient = `${"a".repeat(70)}@${"b".repeat(40)}.example.org`;
    const lines = await bouncesText(recipient);

    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(80);
    const index = lines.findIndex((line) => line.startsWith("aaaa"));
    expect(`${lines[index]}${lines[index + 1]}`).toBe(recipient);
    expect(lines[index + 2]).toBe("  userunknown  550 5.1.1  hard: remove the address");
  });
});
