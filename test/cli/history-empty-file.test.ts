import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

describe("history --db on an empty file", () => {
  for (const command of [["history"], ["removal", "status"]]) {
    it(`${command.join(" ")} leaves the file empty`, async () => {
      const db = join(tempDir(), "empty.log");
      writeFileSync(db, "");
      const result = await runCommand([...command, "--db", db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${db} is an empty file, not a history database`);
      expect(result.stderr).not.toContain("created a new history database");
      expect(statSync(db).size).toBe(0);
      expect(readFileSync(db, "utf8")).toBe("");
    });
  }
});
