import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { GUARD_STEPS, checkMemory, type GuardedProcess } from "../../src/cli/memory-guard.js";

/** Returns a process whose resident size is `bytes` and that records the V8 flags set on it. */
function fakeProcess(bytes: number): GuardedProcess & { flags: string[] } {
  const flags: string[] = [];
  return { flags, residentBytes: () => bytes, setV8Flag: (flag) => flags.push(flag) };
}

const [FIRST, SECOND] = GUARD_STEPS;
if (FIRST === undefined || SECOND === undefined) throw new Error("the guard has two steps");

describe("memory guard", () => {
  it("leaves a small process alone", () => {
    const target = fakeProcess(FIRST.residentBytes);
    expect(checkMemory(target, 0)).toBe(0);
    expect(target.flags).toEqual([]);
  });

  it("applies the first step past it", () => {
    const target = fakeProcess(FIRST.residentBytes + 1);
    expect(checkMemory(target, 0)).toBe(1);
    expect(target.flags).toEqual([FIRST.v8Flag]);
  });

  it("applies both steps past the second", () => {
    const target = fakeProcess(SECOND.residentBytes + 1);
    expect(checkMemory(target, 0)).toBe(2);
    expect(target.flags).toEqual([FIRST.v8Flag, SECOND.v8Flag]);
  });

  it("applies a step only once", () => {
    const target = fakeProcess(SECOND.residentBytes + 1);
    expect(checkMemory(target, 2)).toBe(2);
    expect(target.flags).toEqual([]);
  });

  it.each(GUARD_STEPS.map((step) => step.v8Flag))("node knows %s", (flag) => {
    // V8 ignores an unknown flag set at run time, so check it where Node rejects one.
    const known = spawnSync(process.execPath, [flag, "-e", "0"], { encoding: "utf8" });
    expect(known.stderr).toBe("");
    expect(known.status).toBe(0);
  });

  it("node rejects an unknown flag", () => {
    const unknown = spawnSync(process.execPath, ["--heap-growing-nonsense=50", "-e", "0"]);
    expect(unknown.status).not.toBe(0);
  });
});
