import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Returns the files that the `files` list of package.json adds to the package. */
function packagedFiles(): string[] {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { files: string[] };
  return globSync(manifest.files, { cwd: ROOT });
}

describe("schema paths in help text", () => {
  it.each([
    ["diagnose", "docs/diagnose.schema.json"],
    ["logs", "docs/logs.schema.json"],
  ])("%s --help names a packaged schema", async (command, schema) => {
    const result = await runCommand([command, "--help"]);
    const named = /\bdocs\/[\w.-]+\.schema\.json\b/.exec(result.stdout.replace(/\n/g, " "))?.[0];

    expect(result.code).toBe(0);
    expect(named).toBe(schema);
    expect(existsSync(`${ROOT}${schema}`)).toBe(true);
    expect(packagedFiles()).toContain(schema);
  });
});
