import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

const DIRECTORY = "/home/example/public_html/wp-content/uploads/2024/03/cache";

/** An Exim main log of one message that a PHP script in `DIRECTORY` submitted. */
function eximLog(): string {
  return [
    `2025-01-13 01:41:28 cwd=${DIRECTORY} 3 args: /usr/sbin/sendmail -t -i`,
    "2025-01-13 01:41:28 1tX9SK-0001pb-WB <= example@srv1.example.com U=example P=local S=4107 " +
      'T="Your booking" for someone@gmail.com',
    "2025-01-13 01:41:33 1tX9SK-0001pb-WB => someone@gmail.com R=dnslookup T=remote_smtp " +
      'H=gmail-smtp-in.l.google.com [192.0.2.27] C="250 2.0.0 OK - gsmtp"',
    "2025-01-13 01:41:34 1tX9SK-0001pb-WB Completed",
    "",
  ].join("\n");
}

/** Returns the lines of one table of `delist logs` text, from its title to the blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(title);
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("renderStatisticsText local programs", () => {
  it("wraps the whole program name", async () => {
    const log = join(tempDir(), "mainlog");
    writeFileSync(log, eximLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    expect(result.code).toBe(0);

    const table = section(result.stdout, "Local programs");
    expect(table[1]).toBe("     msgs   rcpts rejected  name");
    expect(table[2]).toMatch(/^ {8}1 {7}1 {8}0 {2}in \/home\/example\//);
    expect(table.join("\n")).not.toContain("…");
    expect(table.every((line) => line.length <= 80)).toBe(true);
    const name = table
      .slice(2)
      .map((line) => line.slice(28))
      .join("");
    expect(name).toBe(`in ${DIRECTORY}, user example`);
  });
});
