/** Reading the sample message of `delist check --message`, from a file or standard input. */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { fileError } from "../input/file-error.js";
import { readUpTo } from "./bounded-read.js";
import { UsageError, type CliIo } from "./io.js";

/**
 * Largest `--message` sample read, in bytes (64 MiB). The figure is a judgement, not a
 * standard. Receivers commonly cap messages at a few tens of megabytes (an estimate), so a
 * larger input is most likely a mail log or a mailbox given by mistake. The check keeps
 * several copies of the message in memory (text copies for the header scans, and the DKIM
 * verifier's), so the limit also bounds that memory.
 */
export const MAX_SAMPLE_MESSAGE_BYTES = 64 * 1024 * 1024;

const LIMIT_TEXT = `the ${MAX_SAMPLE_MESSAGE_BYTES / 1024 / 1024} MiB limit of --message`;

const ADVICE =
  "Give one sample message, such as an .eml file saved from a mail client, not a mail log " +
  "or a mailbox.";

/**
 * Reads the `--message` sample: standard input for `-`, else the file. Throws a UsageError
 * when the file cannot be read (with the wording of `fileError`) or when the input is larger
 * than `MAX_SAMPLE_MESSAGE_BYTES`. A regular file over the limit is not read at all, and
 * reading any other input stops as soon as it passes the limit.
 */
export async function readMessage(name: string, io: CliIo): Promise<Buffer> {
  if (name === "-") {
    const { bytes, truncated } = await readUpTo(io.stdin, MAX_SAMPLE_MESSAGE_BYTES);
    if (truncated) {
      throw new UsageError(
        `standard input is larger than ${LIMIT_TEXT}, so delist stopped reading it. ${ADVICE}`,
      );
    }
    return bytes;
  }

  const path = resolvePath(io.cwd, name);
  const subject = `the message file "${name}"`;
  let read: { bytes: Buffer; truncated: boolean };
  try {
    const stats = await stat(path);
    if (stats.isFile() && stats.size > MAX_SAMPLE_MESSAGE_BYTES) {
      throw new UsageError(`${subject} is ${formatMiB(stats.size)}, over ${LIMIT_TEXT}. ${ADVICE}`);
    }
    // A named pipe or a device has no size to check first, and a file may grow while it is
    // read, so the read itself stops at the limit too.
    read = await readUpTo(createReadStream(path), MAX_SAMPLE_MESSAGE_BYTES);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(fileError(name, error, "the message file").message, { cause: error });
  }
  if (read.truncated) {
    throw new UsageError(
      `${subject} is larger than ${LIMIT_TEXT}, so delist stopped reading it. ${ADVICE}`,
    );
  }
  return read.bytes;
}

// Rounds up, so that a size just over the limit never prints as the limit itself.
function formatMiB(bytes: number): string {
  return `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1)} MiB`;
}
