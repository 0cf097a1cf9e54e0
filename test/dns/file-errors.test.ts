import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputFileError } from "../../src/input/file-error.js";
import { replayResolver } from "../../src/dns/replay.js";
import { zoneFileResolver } from "../../src/dns/zone.js";

const directory = mkdtempSync(join(tmpdir(), "delist-dns-files-"));
const missing = join(directory, "missing.zone");

describe("zone file errors", () => {
  it("words a missing zone file", async () => {
    const loading = zoneFileResolver([missing]);
    await expect(loading).rejects.toBeInstanceOf(InputFileError);
    await expect(loading).rejects.toThrow(
      `cannot read the zone file "${missing}": file not found; check the path and the working directory`,
    );
  });

  it("is a TypeError, as argument errors are", async () => {
    await expect(zoneFileResolver([missing])).rejects.toBeInstanceOf(TypeError);
  });

  it("words a directory given as zone file", async () => {
    await expect(zoneFileResolver([directory])).rejects.toThrow(
      `cannot read the zone file "${directory}": it is a directory; give the path of a file`,
    );
  });

  it("keeps no errno code in the message", async () => {
    await expect(zoneFileResolver([missing])).rejects.not.toThrow(/ENOENT/);
  });
});

describe("DNS recording errors", () => {
  it("words a missing recording", async () => {
    const path = join(directory, "missing.json");
    const loading = replayResolver(path);
    await expect(loading).rejects.toBeInstanceOf(InputFileError);
    await expect(loading).rejects.toThrow(
      `cannot read the DNS recording "${path}": file not found; check the path and the working directory`,
    );
  });

  it("carries the not-found code", async () => {
    const error: unknown = await replayResolver(join(directory, "missing.json")).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).code).toBe("not-found");
  });
});
