/**
 * Causes of Exim's panic lines (see `isPanicText` in `logs/exim/panic.ts`) and the fix for
 * each, as data, beside the Postfix causes of `postfix-fatal.ts`. `eximPanicCauseOf` reads the
 * normalised text of a kind, so numbers are `N` there.
 *
 * The fixes follow the Exim specification: `exim -bV` reads the run time configuration and
 * stops at its first error, `exim -be` expands a string as the configuration would, and
 * `log_file_path` names where the main, reject and panic logs go.
 */

import type { FatalCauseFix } from "./postfix-fatal.js";

/** Stable ids of the Exim causes for JSON consumers. */
export type EximPanicCause =
  | "exim-missing-file"
  | "exim-failed-expansion"
  | "exim-config-error"
  | "exim-log-file"
  | "port-in-use";

interface EximPanicRule {
  readonly cause: EximPanicCause;
  readonly text: RegExp;
  readonly fix: string;
}

/** The fix of an Exim panic kind that no rule explains. */
export const UNKNOWN_EXIM_PANIC_FIX =
  "Read the full line in the log, and run `exim -bV` to check the configuration.";

/** Rules in the order they are tried. The first match decides. */
const RULES: readonly EximPanicRule[] = [
  {
    cause: "exim-missing-file",
    text: /\bfailed to open \S+.*: (?:No such file or directory|Permission denied)/,
    fix:
      "Exim could not open a file that its configuration names, such as a lookup file or " +
      "a DKIM key, and the message at hand was deferred or failed. Create the file or " +
      "correct its path in the configuration, and check that the Exim user may read it.",
  },
  {
    cause: "exim-failed-expansion",
    text: /\b[Ff]ailed to expand\b/,
    fix:
      "An expansion string of the configuration failed, and the message at hand was " +
      "deferred or failed. The end of the line says why. Test the string with `exim -be`, " +
      "correct it, and run `exim -bV`.",
  },
  {
    cause: "exim-config-error",
    text: /\bExim configuration error\b/,
    fix:
      "Exim stops at an error in its run time configuration. Correct the line the message " +
      "names, run `exim -bV` until it reports no error, then restart Exim (on Debian and " +
      "Ubuntu, edit the split files and run `update-exim4.conf` first).",
  },
  {
    cause: "exim-log-file",
    text: /\bCannot open \S+ log file\b/,
    fix:
      "Exim cannot write its log. Check that the directory of `log_file_path` " +
      "(`exim -bP log_file_path`) exists, has free space, and belongs to the Exim user.",
  },
  {
    cause: "port-in-use",
    text: /\bsocket bind\(\)/,
    fix:
      "Another process already listens on the address and port that the Exim daemon wants, " +
      "often a second MTA or an Exim daemon that still runs. Find it with `ss -ltnp`, stop " +
      "it, and start Exim again.",
  },
];

/** Returns the cause and fix of a kind of Exim panic line from its normalised text. */
export function eximPanicCauseOf(kindText: string): FatalCauseFix {
  const rule = RULES.find((candidate) => candidate.text.test(kindText));
  return rule === undefined
    ? { cause: "unknown", fix: UNKNOWN_EXIM_PANIC_FIX }
    : { cause: rule.cause, fix: rule.fix };
}
