import { execFileSync } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isSkippedInDirectory,
  planInputs,
  planInputsWithNotes,
  type PlannedInput,
} from "../../../src/logs/reader/sources.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// Each planned input as `name` (`name +` when it continues the previous file, `name !code`
// for a failed input).
function describePlan(plan: PlannedInput[]): string[] {
  return plan.map((input) => {
    if (input.type === "failed") return `${input.name} !${input.error.code}`;
    if (input.type === "stdin") return "-";
    return `${input.name}${input.continuesPrevious ? " +" : ""}`;
  });
}

describe("planInputs", () => {
  it("keeps files and stdin in the given order", async () => {
    await dir.write("b.log", "x\n");
    await dir.write("a.log", "x\n");
    const plan = await planInputs(["b.log", "-", "a.log"], dir.path);
    expect(describePlan(plan)).toEqual(["b.log", "-", "a.log"]);
  });

  it("fills in size, mtime and absolute path", async () => {
    const path = await dir.write("a.log", "hello\n", Date.UTC(2024, 0, 2));
    const [input] = await planInputs(["a.log"], dir.path);
    expect(input).toEqual({
      type: "file",
      name: "a.log",
      path,
      sizeBytes: 6,
      modifiedMs: Date.UTC(2024, 0, 2),
      continuesPrevious: false,
    });
  });

  it("reports a missing file in its place", async () => {
    await dir.write("a.log", "x\n");
    const plan = await planInputs(["missing.log", "a.log"], dir.path);
    expect(describePlan(plan)).toEqual(["missing.log !not-found", "a.log"]);
    const [missing] = plan;
    expect(missing?.type).toBe("failed");
    if (missing?.type === "failed") {
      expect(missing.error.message).toMatch(/"missing\.log".*not found/);
    }
  });

  it("reads the regular files directly inside a directory", async () => {
    await mkdir(join(dir.path, "logs", "nested"), { recursive: true });
    for (const name of [
      "b.log",
      "a.log",
      ".hidden",
      "a.log~",
      "a.log.swp",
      "x.pid",
      "nested/c.log",
    ]) {
      await dir.write(join("logs", name), "x\n");
    }
    const plan = await planInputs(["logs"], dir.path);
    expect(describePlan(plan)).toEqual([join("logs", "a.log"), join("logs", "b.log")]);
  });

  it("reports a directory without log files", async () => {
    await mkdir(join(dir.path, "empty"));
    await dir.write("empty/.keep", "");
    const plan = await planInputs(["empty"], dir.path);
    expect(describePlan(plan)).toEqual(["empty !no-match"]);
  });

  it("expands globs in name order", async () => {
    for (const name of ["mail.err", "b.log", "a.log", ".c.log"]) await dir.write(name, "x\n");
    const plan = await planInputs(["*.log"], dir.path);
    expect(describePlan(plan)).toEqual(["a.log", "b.log"]);
  });

  it("expands absolute globs", async () => {
    await dir.write("a.log", "x\n");
    const plan = await planInputs([join(dir.path, "*.log")], "/");
    expect(describePlan(plan)).toEqual([join(dir.path, "a.log")]);
  });

  it("reports a glob without matches", async () => {
    const plan = await planInputs(["*.gz"], dir.path);
    expect(describePlan(plan)).toEqual(["*.gz !no-match"]);
  });

  it("reads the same file once", async () => {
    await dir.write("a.log", "x\n");
    await symlink(join(dir.path, "a.log"), join(dir.path, "link.log"));
    const plan = await planInputs(["a.log", "./a.log", "link.log", "*.log", "-", "-"], dir.path);
    expect(describePlan(plan)).toEqual(["a.log", "-"]);
  });

  it("orders a rotated set oldest first", async () => {
    for (const name of ["mail.log", "mail.log.1", "mail.log.2.gz", "mail.log.3.gz", "mail.err"]) {
      await dir.write(name, "x\n");
    }
    const plan = await planInputs(["mail.*"], dir.path);
    // The mail log set comes before mail.err, which copies some of its lines.
    expect(describePlan(plan)).toEqual([
      "mail.log.3.gz",
      "mail.log.2.gz +",
      "mail.log.1 +",
      "mail.log +",
      "mail.err",
    ]);
  });

  it("orders a set given as separate names", async () => {
    for (const name of ["maillog", "maillog-20240308", "maillog-20240301.gz"]) {
      await dir.write(name, "x\n");
    }
    const plan = await planInputs(["maillog", "maillog-20240301.gz", "maillog-20240308"], dir.path);
    expect(describePlan(plan)).toEqual(["maillog-20240301.gz", "maillog-20240308 +", "maillog +"]);
  });
});

describe("isSkippedInDirectory", () => {
  it("skips obvious non-logs only", () => {
    for (const name of [
      ".hidden",
      "mail.log~",
      "x.swp",
      "x.swo",
      "exim.pid",
      "x.lock",
      "x.offset",
      "x.pos",
    ]) {
      expect(isSkippedInDirectory(name), name).toBe(true);
    }
    for (const name of ["mail.log", "maillog.1.gz", "current", "mainlog", "x.json", "x.txt"]) {
      expect(isSkippedInDirectory(name), name).toBe(false);
    }
  });
});

describe("skipped entries", () => {
  // A directory with one log and four entries that are not regular files. The link to
  // `/dev/null` stands for a rotated file linked to a device; it is checked with stat only.
  async function makeDirectory(): Promise<void> {
    await mkdir(join(dir.path, "logs"));
    await dir.write("logs/mail.log", "x\n");
    await symlink("/dev/null", join(dir.path, "logs/mail.log.1"));
    await symlink("missing.log", join(dir.path, "logs/dangling"));
    await symlink("self", join(dir.path, "logs/self"));
    execFileSync("mkfifo", [join(dir.path, "logs/fifo")]);
  }

  it("names each skipped directory entry", async () => {
    await makeDirectory();
    const plan = await planInputsWithNotes(["logs"], dir.path);

    expect(describePlan(plan.inputs)).toEqual(["logs/mail.log"]);
    expect(plan.notes).toHaveLength(1);
    const note = plan.notes[0] ?? "";
    expect(note).toMatch(/^Skipped the entries .* of logs: only regular files are read/);
    expect(note).toContain("logs/fifo (a FIFO, read only when given by name)");
    expect(note).toContain("logs/mail.log.1 (a character device)");
    expect(note).toContain("logs/dangling (a symbolic link to a missing file");
    expect(note).toContain("logs/self (a loop of symbolic links)");
  });

  it("names a skipped glob match", async () => {
    await makeDirectory();
    const plan = await planInputsWithNotes(["logs/mail.log*"], dir.path);

    expect(describePlan(plan.inputs)).toEqual(["logs/mail.log"]);
    expect(plan.notes).toEqual([
      "Skipped the entry logs/mail.log.1 (a character device) of logs/mail.log*: only " +
        "regular files are read from a directory or glob.",
    ]);
  });

  it("rejects a device given by name", async () => {
    await makeDirectory();
    const plan = await planInputs(["logs/mail.log.1"], dir.path);

    expect(describePlan(plan)).toEqual(["logs/mail.log.1 !read-failed"]);
  });
});
