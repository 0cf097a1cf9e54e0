import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

function probeArgs(dir: string, ...extra: string[]): string[] {
  const args = ["probe", "--to", "someone@example.com", "--helo", "mail.example.com"];
  return [...args, "--db", join(dir, "history.sqlite"), ...extra];
}

describe("probe --offline without --mx", () => {
  it("exits 2 with the options to give", async () => {
    const result = await runCommand(probeArgs(tempDir(), "--offline"));

    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("the MX of example.com cannot be looked up");
    expect(result.stderr).toContain("Give --mx HOST[:PORT]");
    expect(result.stderr).toContain("or drop --offline");
    expect(result.code).toBe(2);
  });

  it("looks the MX up in a --zone file", async () => {
    const dir = tempDir();
    const zone = join(dir, "example.zone");
    writeFileSync(zone, '$ORIGIN example.com.\n@ TXT "v=spf1 -all"\n');
    const result = await runCommand(probeArgs(dir, "--offline", "--zone", zone));

    expect(result.stderr).not.toContain("cannot be looked up");
    expect(result.stdout).toContain("No host to probe");
    expect(result.code).toBe(1);
  });
});
