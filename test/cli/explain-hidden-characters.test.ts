import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";

const REPLY =
  "550 5.7.1 Message rejected for mail\u202eforged\u202c.example.com, see https://example.com/help";

describe("explain of a reply with hidden characters", () => {
  it.each(["text", "markdown"])("shows them as escapes in %s", async (format) => {
    const run = await runCommand(["explain", "--format", format, REPLY]);
    expect(run.stdout).toContain("mail\\u202eforged\\u202c.example.com");
    expect(run.stdout).not.toMatch(/[\u202e\u202c]/);
  });

  it("keeps them in JSON", async () => {
    const run = await runCommand(["explain", "--format", "json", REPLY]);
    const explained = JSON.parse(run.stdout) as { text: string };
    expect(explained.text).toContain("mail\u202eforged\u202c.example.com");
  });
});
