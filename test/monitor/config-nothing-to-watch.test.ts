import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";

const EXPECTED_LINE =
  "  (top level): nothing to watch: add an entry to ips, domains, probes or logs";

describe("monitor configuration watching nothing", () => {
  it("fits the problem in 80 columns", async () => {
    const directory = mkdtempSync(join(tmpdir(), "delist-monitor-empty-"));
    const path = join(directory, "monitor.json");
    writeFileSync(path, "{}\n");

    const result = await runCommand(["monitor", "--config", path, "--once"], "", {
      XDG_STATE_HOME: directory,
    });
    const problem = result.stderr.split("\n").find((line) => line.includes("nothing to watch"));

    expect(result.code).toBe(2);
    expect(problem).toBe(EXPECTED_LINE);
    expect(problem?.length).toBeLessThanOrEqual(80);
  });
});
