import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";

const COMMANDS = [
  ["diagnose"],
  ["logs"],
  ["explain"],
  ["check"],
  ["bounces"],
  ["blocklists"],
  ["probe"],
  ["history"],
  ["removal"],
  ["removal", "request"],
  ["removal", "status"],
  ["monitor"],
];

function wideLines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 80);
}

describe("help text width", () => {
  it.each(COMMANDS.map((words) => [words.join(" "), words]))(
    "%s --help fits 80 columns",
    async (_name, words) => {
      const result = await runCommand([...words, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: delist ${words.join(" ")}`);
      expect(wideLines(result.stdout)).toEqual([]);
    },
  );

  it("main help fits 80 columns", async () => {
    const result = await runCommand(["--help"]);
    expect(result.stdout).toContain("Usage: delist");
    expect(wideLines(result.stdout)).toEqual([]);
  });

  it("bare command help fits 80 columns", async () => {
    const result = await runCommand([]);
    expect(result.stderr).toContain("Usage: delist");
    expect(wideLines(result.stderr)).toEqual([]);
  });

  it("wrapped paragraph keeps its words", async () => {
    const result = await runCommand(["diagnose", "--help"]);
    const paragraph = result.stdout.split("\n\n").find((part) => part.startsWith("Exit status"));
    expect(paragraph).toBeDefined();
    expect(paragraph?.trim().split("\n").length).toBeGreaterThan(1);
    expect(paragraph?.replace(/\n/g, " ")).toContain(
      "1 when one is, 2 for a usage error or when an input could not be read",
    );
  });
});
