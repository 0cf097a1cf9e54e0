import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nextFileStarts } from "../../../src/logs/reader/next-file-starts.js";
import {
  planInputs,
  type FileSource,
  type PlannedInput,
} from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const UTC = resolveTimeZone("UTC");
const DAY = 86_400_000;
const MARCH_3 = Date.UTC(2024, 2, 3);

function line(stamp: string, text = "connect from client.example.net[192.0.2.10]"): string {
  return `${stamp} mx1 postfix/smtpd[4100]: ${text}\n`;
}

// The start that `starts` gives each input of `plan`, by input name.
function startsByName(
  plan: readonly PlannedInput[],
  starts: ReadonlyMap<FileSource, number>,
): Record<string, number | undefined> {
  const startOf = (input: PlannedInput) => (input.type === "file" ? starts.get(input) : undefined);
  return Object.fromEntries(plan.map((input) => [input.name, startOf(input)]));
}

describe("nextFileStarts", () => {
  it("gives each file the next file's start", async () => {
    await dir.write("mail.log.2.gz", gzipSync(line("Mar  1 08:00:00")), MARCH_3 - DAY);
    await dir.write("mail.log.1", line("Mar  2 00:00:05") + line("Mar  2 09:00:00"), MARCH_3);
    await dir.write("mail.log", line("Mar  3 00:00:07"), MARCH_3 + DAY);
    const plan = await planInputs([dir.path], dir.path);

    const starts = await nextFileStarts(plan, 0, UTC);

    expect(startsByName(plan, starts)).toEqual({
      [`${dir.path}/mail.log.2.gz`]: Date.UTC(2024, 2, 2, 0, 0, 5),
      [`${dir.path}/mail.log.1`]: Date.UTC(2024, 2, 3, 0, 0, 7),
      [`${dir.path}/mail.log`]: Infinity,
    });
  });

  it("takes the earliest of the later files", async () => {
    // `mail.log` starts before `mail.log.1`, as a restored partial copy can.
    await dir.write("mail.log.2", line("Mar  1 08:00:00"), MARCH_3 - DAY);
    await dir.write("mail.log.1", line("Mar  2 12:00:00"), MARCH_3);
    await dir.write("mail.log", line("Mar  2 06:00:00"), MARCH_3 + DAY);
    const plan = await planInputs([dir.path], dir.path);

    const starts = await nextFileStarts(plan, 0, UTC);

    const byName = startsByName(plan, starts);
    expect(byName[`${dir.path}/mail.log.2`]).toBe(Date.UTC(2024, 2, 2, 6, 0, 0));
    expect(byName[`${dir.path}/mail.log.1`]).toBe(Date.UTC(2024, 2, 2, 6, 0, 0));
  });

  it("passes over a file without records", async () => {
    await dir.write("mail.log.2", line("Mar  1 08:00:00"), MARCH_3 - DAY);
    await dir.write("mail.log.1", "not a log line\n", MARCH_3);
    await dir.write("mail.log", line("Mar  3 00:00:07"), MARCH_3 + DAY);
    const plan = await planInputs([dir.path], dir.path);

    const starts = await nextFileStarts(plan, 0, UTC);

    const byName = startsByName(plan, starts);
    expect(byName[`${dir.path}/mail.log.2`]).toBe(Date.UTC(2024, 2, 3, 0, 0, 7));
  });

  it("gives nothing when a file set follows", async () => {
    await dir.write("mail.log.1", line("Mar  2 00:00:05"), MARCH_3);
    await dir.write("mail.log", line("Mar  3 00:00:07"), MARCH_3 + DAY);
    await dir.write("other.log", line("Mar  3 00:00:07"), MARCH_3 + DAY);
    const plan = await planInputs(["mail.log.1", "mail.log", "other.log"], dir.path);

    const starts = await nextFileStarts(plan, 0, UTC);

    expect(plan.length).toBe(3);
    expect(starts.size).toBe(0);
  });

  it("gives nothing for a file that continues a set", async () => {
    await dir.write("mail.log.1", line("Mar  2 00:00:05"), MARCH_3);
    await dir.write("mail.log", line("Mar  3 00:00:07"), MARCH_3 + DAY);
    const plan = await planInputs([dir.path], dir.path);

    const starts = await nextFileStarts(plan, 1, UTC);

    expect(starts.size).toBe(0);
  });
});
