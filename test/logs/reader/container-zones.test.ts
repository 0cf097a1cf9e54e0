import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createLogParsers } from "../../../src/logs/parsers.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import type { ReadSummary } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { eximLogIn, eximMainLines, type EximLine } from "../../helpers/exim-shapes.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// The first line of `eximMainLines` is at this instant, and the others follow it.
const BASE_MS = Date.UTC(2024, 2, 4, 9, 0, 0);
const DAY_MS = 86_400_000;

async function read(inputs: readonly string[], zone: string): Promise<ReadSummary> {
  const events: LogEvent[] = [];
  const parsers = createLogParsers((event) => events.push(event));
  return readLogs(inputs, parsers, { timeZone: resolveTimeZone(zone), cwd: dir.path });
}

// `docker logs -t` of an Exim container whose zone is `offsetMinutes` east of UTC: the
// runtime's UTC stamp, read `lagMs` after the line, before Exim's own stamp in that zone.
function dockerLogs(lines: readonly EximLine[], offsetMinutes: number, lagMs = 300): string {
  const text = lines.map(({ seconds, text }) => {
    const runtime = new Date(BASE_MS + seconds * 1000 + lagMs).toISOString();
    const wall = new Date(BASE_MS + (seconds + offsetMinutes * 60) * 1000).toISOString();
    return `${runtime} ${wall.slice(0, 19).replace("T", " ")} ${text}`;
  });
  return `${text.join("\n")}\n`;
}

function notesOf(summary: ReadSummary, name: string): readonly string[] {
  return summary.inputs.find((input) => input.name === name)?.notes ?? [];
}

describe("container zones", () => {
  it("notes the zone once", async () => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, 330));

    const summary = await read(["docker.log"], "UTC");

    const notes = notesOf(summary, "docker.log").filter((note) => note.includes("UTC+05:30"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("inside the container lines of docker.log are in UTC+05:30");
    expect(summary.earliestTime).toBe(BASE_MS);
    expect(summary.latestTime).toBe(BASE_MS + (lines.at(-1)?.seconds ?? 0) * 1000);
  });

  it("names both zones of a DST change", async () => {
    const lines = eximMainLines();
    const half = Math.floor(lines.length / 2);
    const text = dockerLogs(lines.slice(0, half), 60) + dockerLogs(lines.slice(half), 120);
    await dir.write("docker.log", text);

    const summary = await read(["docker.log"], "UTC");

    const notes = notesOf(summary, "docker.log").filter((note) => note.includes("--timezone"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("are in UTC+01:00 and UTC+02:00");
  });

  it("notes nothing for UTC", async () => {
    await dir.write("docker.log", dockerLogs(eximMainLines(), 0));

    const summary = await read(["docker.log"], "Asia/Kolkata");

    expect(notesOf(summary, "docker.log")).toEqual([]);
    expect(summary.earliestTime).toBe(BASE_MS);
  });

  it("leaves out the main log's copy", async () => {
    // Exim's main log in +05:30, read with that zone, and `docker logs -t` of the same lines.
    const lines = eximMainLines();
    const shifted = lines.map((line) => ({ ...line, seconds: line.seconds + 330 * 60 }));
    await dir.write("mainlog", eximLogIn("mainlog", shifted));
    await dir.write("docker.log", dockerLogs(lines, 330));

    const summary = await read(["mainlog", "docker.log"], "Asia/Kolkata");

    const docker = summary.inputs.find((input) => input.name === "docker.log");
    expect(docker?.copiedLines).toBe(lines.length);
    expect(summary.earliestTime).toBe(BASE_MS);
  });

  it.each([
    [330, "UTC+05:30"],
    [-210, "UTC-03:30"],
    [540, "UTC+09:00"],
  ])("dates a zone of %i minutes", async (offsetMinutes, zoneName) => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, offsetMinutes));

    const summary = await read(["docker.log"], "UTC");

    const notes = notesOf(summary, "docker.log");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`are in ${zoneName}`);
    expect(summary.earliestTime).toBe(BASE_MS);
  });

  it("keeps the stamps of replayed lines", async () => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, 0, 2 * DAY_MS));

    const summary = await read(["docker.log"], "UTC");

    expect(summary.earliestTime).toBe(BASE_MS);
    const notes = notesOf(summary, "docker.log");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`${lines.length} lines were printed by the container runtime later`);
    expect(notes[0]).toContain("own stamp at 2024-03-04T09:00:00Z");
    expect(notes[0]).toContain("the runtime's at 2024-03-06T09:00:00Z");
  });

  it("keeps the stamps of lines 20 minutes late", async () => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, 0, 20 * 60_000));

    const summary = await read(["docker.log"], "UTC");

    expect(summary.earliestTime).toBe(BASE_MS);
    expect(summary.latestTime).toBe(BASE_MS + (lines.at(-1)?.seconds ?? 0) * 1000);
    expect(notesOf(summary, "docker.log")[0]).toContain("dated by their own stamps");
  });

  it("reads late lines in the zone learnt", async () => {
    const lines = eximMainLines();
    const half = Math.floor(lines.length / 2);
    const late = lines.slice(half);
    const text = dockerLogs(lines.slice(0, half), 330) + dockerLogs(late, 330, 20 * 60_000);
    await dir.write("docker.log", text);

    const summary = await read(["docker.log"], "UTC");

    expect(summary.latestTime).toBe(BASE_MS + (lines.at(-1)?.seconds ?? 0) * 1000);
    const notes = notesOf(summary, "docker.log");
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain("are in UTC+05:30");
    expect(notes[1]).toContain(`${late.length} lines were printed by the container runtime`);
  });

  it("reads late lines in --timezone before a zone", async () => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, 330, 2 * DAY_MS));

    const summary = await read(["docker.log"], "Asia/Kolkata");

    expect(summary.earliestTime).toBe(BASE_MS);
    expect(notesOf(summary, "docker.log")[0]).toContain("own stamp at 2024-03-04T14:30:00+05:30");
  });

  it("counts stamps ahead of the runtime", async () => {
    const lines = eximMainLines();
    await dir.write("docker.log", dockerLogs(lines, 0, -DAY_MS));

    const summary = await read(["docker.log"], "UTC");

    expect(summary.earliestTime).toBe(BASE_MS);
    const note = notesOf(summary, "docker.log")[0];
    expect(note).toContain(`${lines.length} lines were stamped by the container itself later`);
    expect(note).not.toContain("printed by the container runtime later");
  });
});
