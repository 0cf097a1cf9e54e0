import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";

describe("help for an unknown command", () => {
  test.each([
    ["NAME --help", ["serve", "--help"]],
    ["NAME -h", ["serve", "-h"]],
    ["help NAME", ["help", "serve"]],
  ])("%s exits 2", async (_form, argv) => {
    const result = await runCommand(argv);

    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("error: unknown command 'serve'");
    expect(result.stderr).not.toContain("Usage: delist");
    expect(result.code).toBe(2);
  });

  test("help NAME suggests a close command", async () => {
    const result = await runCommand(["help", "diagnos"]);

    expect(result.stderr).toContain("error: unknown command 'diagnos'");
    expect(result.stderr).toContain("(Did you mean diagnose?)");
    expect(result.code).toBe(2);
  });

  test("NAME --help suggests a close command", async () => {
    const result = await runCommand(["chek", "example.com", "--help"]);

    expect(result.stderr).toContain("error: unknown command 'chek'");
    expect(result.stderr).toContain("(Did you mean check?)");
    expect(result.code).toBe(2);
  });
});

describe("help for a known command", () => {
  test.each([
    ["NAME --help", ["check", "--help"]],
    ["help NAME", ["help", "check"]],
    ["help NAME with subcommands", ["help", "removal"]],
  ])("%s exits 0", async (_form, argv) => {
    const result = await runCommand(argv);

    expect(result.stdout).toContain("Usage: delist");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  test("main help exits 0", async () => {
    for (const argv of [["--help"], ["help"]]) {
      const result = await runCommand(argv);

      expect(result.stdout).toContain("Usage: delist [options] [command]");
      expect(result.code).toBe(0);
    }
  });
});

describe("a command that only groups subcommands", () => {
  test("run bare exits 2 with its help", async () => {
    const result = await runCommand(["removal"]);

    expect(result.stderr).toContain("Usage: delist removal");
    expect(result.code).toBe(2);
  });

  test("unknown subcommand with --help exits 2", async () => {
    const result = await runCommand(["removal", "requst", "--help"]);

    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("error: unknown command 'requst'");
    expect(result.code).toBe(2);
  });

  test("known subcommand with --help exits 0", async () => {
    const result = await runCommand(["removal", "request", "--help"]);

    expect(result.stdout).toContain("Usage: delist removal request");
    expect(result.code).toBe(0);
  });
});
