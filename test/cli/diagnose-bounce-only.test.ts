import { describe, expect, test } from "vitest";
import { POSTFIX_DSN } from "../bounce/fixtures.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

async function diagnoseBounces(format: "text" | "markdown" | "json"): Promise<string> {
  const bounce = temporary.file(POSTFIX_DSN, "bounce.eml");
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--bounces", bounce, "--format", format]);
  return result.stdout;
}

describe("diagnose with bounces only", () => {
  test("text headline names no log", async () => {
    const text = await diagnoseBounces("text");

    expect(text).toMatch(/^delist diagnose: no mail log given; 1 bounce message with 1 failed/);
    expect(text).not.toContain("0 lines from -");
    expect(text).toContain("\nNo mail log given.\nRead 1 bounce message from 1 file:");
    expect(text).not.toContain("Read 0 files");
  });

  test("Markdown headline names no log", async () => {
    const markdown = await diagnoseBounces("markdown");

    expect(markdown).toContain("\nNo mail log given; 1 bounce message with 1 failed");
    expect(markdown).not.toContain("0 log lines from -");
    expect(markdown).not.toContain("Read 0 files");
  });

  test("volume item asks for the log", async () => {
    const json = JSON.parse(await diagnoseBounces("json")) as {
      readiness: { items: Array<{ id: string; status: string; detail: string }> };
    };
    const volume = json.readiness.items.find((item) => item.id === "volume-normal");

    expect(volume?.status).toBe("not-checked");
    expect(volume?.detail).toContain("No mail log lines were read");
    expect(volume?.detail).not.toContain("rotated logs");
  });
});
