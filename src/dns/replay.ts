import { readFile, writeFile } from "node:fs/promises";
import { fileError, InputFileError } from "../input/file-error.js";
import {
  dnsFailure,
  normaliseName,
  RECORD_TYPES,
  type DnsFailureKind,
  type DnsResult,
  type RecordType,
  type Resolver,
} from "./types.js";

/** Version of the record file; replay rejects other versions. */
const RECORDING_VERSION = 1;

/** The file that `--dns-record` writes and `--dns-replay` reads. */
interface Recording {
  readonly version: typeof RECORDING_VERSION;
  readonly resolver: string;
  /** Results by `TYPE name`, as the resolver returned them. */
  readonly answers: Record<string, DnsResult<RecordType>>;
}

const key = (name: string, type: RecordType): string => `${type} ${normaliseName(name)}`;

/**
 * Wraps a resolver and writes every result it returns to `path` when closed, so a run can be
 * replayed offline and a user's report can become a test fixture.
 */
export function recordingResolver(inner: Resolver, path: string): Resolver {
  const answers: Record<string, DnsResult<RecordType>> = {};
  return {
    description: `${inner.description}, recording to ${path}`,
    async resolve(name, type) {
      const result = await inner.resolve(name, type);
      answers[key(name, type)] = result;
      return result;
    },
    async close() {
      await inner.close?.();
      const recording: Recording = {
        version: RECORDING_VERSION,
        resolver: inner.description,
        answers,
      };
      await writeFile(path, `${JSON.stringify(recording, null, 2)}\n`);
    },
  };
}

/**
 * Answers from a file written by `recordingResolver`. A query the file lacks fails as
 * `not-recorded`, so a check says it could not tell rather than guessing.
 * Throws an InputFileError when the file cannot be read and a SyntaxError when it is not a
 * recording.
 */
export async function replayResolver(path: string): Promise<Resolver> {
  const recording = parseRecording(await readRecording(path), path);
  return {
    description: `replay of ${path}`,
    resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
      const found = recording.answers[key(name, type)];
      if (found === undefined) {
        return Promise.resolve(
          dnsFailure(name, type, "not-recorded", `${type} ${name} is not in ${path}`),
        );
      }
      return Promise.resolve(found as DnsResult<T>);
    },
  };
}

async function readRecording(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputFileError(fileError(path, error, "the DNS recording"), { cause: error });
  }
}

const KINDS: readonly DnsFailureKind[] = [
  "nxdomain",
  "nodata",
  "servfail",
  "refused",
  "timeout",
  "unreachable",
  "truncated",
  "malformed",
  "invalid-name",
  "not-recorded",
  "offline",
  "not-in-zone",
];

function parseRecording(text: string, path: string): Recording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${path} is not JSON: record it again with --dns-record`, {
      cause: error,
    });
  }
  const recording = value as Partial<Recording>;
  if (recording.version !== RECORDING_VERSION || typeof recording.answers !== "object") {
    throw new SyntaxError(
      `${path} is not a delist DNS recording of version ${RECORDING_VERSION}: record it again with --dns-record`,
    );
  }
  for (const [entry, result] of Object.entries(recording.answers)) {
    const type = entry.split(" ")[0] as RecordType;
    const valid =
      RECORD_TYPES.includes(type) &&
      typeof result === "object" &&
      (result.ok ? Array.isArray(result.records) : KINDS.includes(result.kind));
    if (!valid) throw new SyntaxError(`${path}: the entry "${entry}" is not a DNS result`);
  }
  return recording as Recording;
}
