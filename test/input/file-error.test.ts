import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileError } from "../../src/input/file-error.js";
import { loadMonitorConfig, MonitorConfigError } from "../../src/monitor/config.js";

function nodeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("fileError", () => {
  it("words a missing file", () => {
    expect(fileError("x.eml", nodeError("ENOENT", "ENOENT: no such file"))).toEqual({
      code: "not-found",
      message: 'cannot read "x.eml": file not found; check the path and the working directory',
    });
  });

  it("words a permission error without its errno text", () => {
    const error = nodeError("EACCES", "EACCES: permission denied, open '/tmp/x.eml'");
    const result = fileError("x.eml", error);
    expect(result.code).toBe("permission-denied");
    expect(result.message).toMatch(/^cannot read "x\.eml": permission denied; run delist as/);
    expect(result.message).not.toContain("EACCES");
  });

  it("treats EPERM as permission denied", () => {
    expect(fileError("x.eml", nodeError("EPERM", "EPERM")).code).toBe("permission-denied");
  });

  it("words a directory", () => {
    expect(fileError("d", nodeError("EISDIR", "EISDIR: illegal operation")).message).toBe(
      'cannot read "d": it is a directory; give the path of a file',
    );
  });

  it("names the kind of file when given", () => {
    expect(fileError("a.zone", nodeError("ENOENT", "x"), "the zone file").message).toBe(
      'cannot read the zone file "a.zone": file not found; check the path and the working directory',
    );
  });

  it("keeps the detail of other errors", () => {
    expect(fileError("x", new Error("EIO: i/o error")).message).toBe(
      'cannot read "x": EIO: i/o error; check that it is a readable file',
    );
  });
});

describe("monitor configuration read errors", () => {
  it("words a missing configuration", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "delist-config-")), "missing.json");
    const loading = loadMonitorConfig(path);
    await expect(loading).rejects.toBeInstanceOf(MonitorConfigError);
    await expect(loading).rejects.toThrow(
      `cannot read the monitor configuration "${path}": file not found; check the path and the working directory`,
    );
  });
});
