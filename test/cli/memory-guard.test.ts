import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  GUARD_RSS_BYTES,
  GUARD_V8_FLAG,
  checkMemory,
  type GuardedProcess,
} from "../../src/cli/memory-guard.js";

/** A process whose resident size is `bytes`, recording the V8 flags set on it. */
function fakeProcess(bytes: number): GuardedProcess & { flags: string[] } {
  const flags: string[] = [];
  return { flags, residentBytes: () => bytes, setV8Flag: (flag) => flags.push(flag) };
}

describe("memory guard", () => {
  it("leaves a small process alone", () => {
    const target = fakeProcess(GUARD_RSS_BYTES);
    expect(checkMemory(target)).toBe(false);
    expect(target.flags).toEqual([]);
  });

  it("sets the flag past the limit", () => {
    const target = fakeProcess(GUARD_RSS_BYTES + 1);
    expect(checkMemory(target)).toBe(true);
    expect(target.flags).toEqual([GUARD_V8_FLAG]);
  });

  it("uses a flag this Node knows", () => {
    // V8 ignores an unknown flag set at run time, so check it where Node rejects one.
    const known = spawnSync(process.execPath, [GUARD_V8_FLAG, "-e", "0"], { encoding: "utf8" });
    expect(known.stderr).toBe("");
    expect(known.status).toBe(0);
    const unknown = spawnSync(process.execPath, ["--heap-growing-nonsense=50", "-e", "0"]);
    expect(unknown.status).not.toBe(0);
  });
});
