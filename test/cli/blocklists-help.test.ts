import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";

describe("blocklists help", () => {
  test.each([
    ["blocklists --help", ["blocklists", "--help"]],
    ["blocklists -h", ["blocklists", "-h"]],
    ["help blocklists", ["help", "blocklists"]],
  ])("%s lists the catalogue once", async (_form, argv) => {
    const result = await runCommand(argv);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Usage: delist blocklists");
    expect(result.stdout.split("Lists (id, targets, flags):")).toHaveLength(2);
    expect(result.stdout).toMatch(/^ {2}spamhaus-dbl +domain +default/m);
    expect(result.stdout).toMatch(/^ {2}sorbs +ipv4 +defunct$/m);
  });

  test("catalogue rows end without spaces", async () => {
    const result = await runCommand(["blocklists", "--help"]);
    const padded = result.stdout.split("\n").filter((line) => line.endsWith(" "));

    expect(result.stdout).toMatch(/^ {2}uceprotect-l2 +ipv4$/m);
    expect(padded).toEqual([]);
  });

  test("main help omits the catalogue", async () => {
    const result = await runCommand(["--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("blocklists");
    expect(result.stdout).not.toContain("Lists (id, targets, flags):");
  });
});
