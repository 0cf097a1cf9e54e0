/**
 * Inputs that gave almost no log line while other inputs were read. Such an input is often
 * the one that contains the deliveries, exported in a shape that delist does not read, and the
 * verdict of the other inputs alone would mislead. It gets an input error, so the run ends
 * with exit status 2 as a run with only that input does.
 */
import path from "node:path";
import type { InputError } from "./errors.js";
import { exportShapeOf, JOURNAL_ADVICE } from "./export-shapes.js";
import { inputNameInText } from "./input-names.js";
import { logRoleOf } from "./mail-copies.js";

/** Line counts of one input, for `unreadInputError`. */
export interface InputLineCounts {
  readonly name: string;
  readonly lines: number;
  readonly blank: number;
  /** Lines in no log format that delist reads. */
  readonly unrecognised: number;
  /** The first few of those lines, for `exportShapeOf`. */
  readonly unrecognisedHead: readonly string[];
}

/**
 * Share of the non-blank lines that must be unread for an input to count as unread. A
 * journalctl export has two or three banner lines (`-- Boot … --`) and an Exim reject log
 * has header lines between its log lines, so a few unread lines are normal.
 */
const MIN_UNREAD_SHARE = 0.9;

// Names of files that are expected to contain mail log lines. Other files, such as a README in a
// directory given whole, keep the note on lines without a log format and change no exit status.
const MAIL_LOG_NAME = /mail|postfix|exim|sendmail|journal/i;

// Words of MTA log lines. A file whose name only contains one of the words above must also show
// one in its first unread lines, so a note such as `mail-notes.txt` beside the logs keeps its
// note and the exit status. A file named as a log (`mail.log`, `syslog`) needs none.
const MAIL_LOG_WORDS = /postfix|exim|sendmail|\bstatus=|\b(?:from|to)=<| [<=]= /i;

/**
 * Returns the error for an input whose non-blank lines were almost all unread, when its name
 * or the shape of its lines shows that it is meant to be a mail log, else null. Call it only when
 * another input was read, because a run without any log line explains itself.
 */
export function unreadInputError(counts: InputLineCounts): InputError | null {
  const nonBlank = counts.lines - counts.blank;
  if (counts.unrecognised === 0 || counts.unrecognised < nonBlank * MIN_UNREAD_SHARE) return null;
  const shape = exportShapeOf(counts.unrecognisedHead);
  const named =
    logRoleOf(counts.name) !== null ||
    (MAIL_LOG_NAME.test(path.basename(counts.name)) &&
      counts.unrecognisedHead.some((line) => MAIL_LOG_WORDS.test(line)));
  if (shape === null && !named) return null;

  const unread =
    nonBlank === 1
      ? "its only non-blank line has"
      : `${counts.unrecognised.toLocaleString("en-US")} of its ` +
        `${nonBlank.toLocaleString("en-US")} non-blank lines have`;
  const looks = shape === null ? "" : ` It looks like ${shape.description}.`;
  const fix =
    shape?.fix ??
    "Give the MTA's main log, or export the journal with `journalctl -o short-iso` or " +
      `\`journalctl -o json\`: for Postfix, ${JOURNAL_ADVICE}.`;
  return {
    code: "no-log-format",
    message:
      `${inputNameInText(counts.name)} could not be read: ${unread} no log format that ` +
      `delist reads, so the verdict leaves out any mail it holds.${looks} ${fix}`,
  };
}
