import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { globExample } from "../../../src/logs/reader/notes.js";

describe("globExample", () => {
  it("covers rotated files", () => {
    expect(globExample("/var/log/mail")).toBe("'/var/log/mail/**/*log*'");
  });

  it("keeps a hostile name inert in sh", () => {
    const name = "m$(touch PWNED)`id`'x";
    const printed = execFileSync("/bin/sh", ["-c", `printf %s ${globExample(name)}`], {
      encoding: "utf8",
      cwd: tmpdir(),
    });
    expect(printed).toBe(`${name}/**/*log*`);
  });
});
