/** Reading the zone files of `--zone`, where `-` may stand for standard input. */
import { resolve as resolvePath } from "node:path";
import type { Resolver } from "../dns/types.js";
import { readZoneFile, zoneFileResolver, type ZoneText } from "../dns/zone.js";
import { readUpTo } from "./bounded-read.js";
import { UsageError } from "./io.js";

/**
 * Largest zone file read from standard input, in bytes (64 MiB). The figure is a judgement,
 * not a standard. A zone of a hundred thousand records takes about 5 MiB (an estimate at
 * 50 bytes a line), and the limit stops an endless stream from filling memory. A zone file
 * named by its path is read whole.
 */
export const MAX_STDIN_ZONE_BYTES = 64 * 1024 * 1024;

/** The name of standard input in the resolver's description, notes and syntax errors. */
const STDIN_NAME = "standard input";

/** The working directory and standard input that `--zone` reads from. */
export interface ZoneInputSources {
  /** Working directory for relative paths. */
  readonly cwd: string;
  /** The stream that `-` reads. With null, `-` is a file name like any other. */
  readonly stdin: NodeJS.ReadableStream | null;
}

/**
 * Reads and merges the zone files `names` into one resolver, in the given order, and appends
 * a note to `notes` for each record skipped. With `sources.stdin`, the name `-` reads that
 * stream, so `names` may contain `-` only once because a second `-` would read an empty zone.
 * Throws an InputFileError for a file that cannot be read, a SyntaxError naming a bad line,
 * and a UsageError when standard input is larger than `MAX_STDIN_ZONE_BYTES`.
 */
export function zoneInputResolver(
  names: readonly string[],
  sources: ZoneInputSources,
  notes: string[] = [],
): Promise<Resolver> {
  return zoneFileResolver(names, notes, (name) => readZoneInput(name, sources));
}

async function readZoneInput(name: string, sources: ZoneInputSources): Promise<ZoneText> {
  if (name === "-" && sources.stdin !== null) {
    return { text: await readStdinZone(sources.stdin), source: STDIN_NAME };
  }
  return readZoneFile(resolvePath(sources.cwd, name));
}

async function readStdinZone(stdin: NodeJS.ReadableStream): Promise<string> {
  const { bytes, truncated } = await readUpTo(stdin, MAX_STDIN_ZONE_BYTES);
  if (truncated) {
    const limit = `${MAX_STDIN_ZONE_BYTES / 1024 / 1024} MiB`;
    throw new UsageError(
      `standard input is larger than the ${limit} limit of --zone -, so delist stopped ` +
        "reading it: save the zone to a file and give --zone the file's path",
    );
  }
  return bytes.toString("utf8");
}
