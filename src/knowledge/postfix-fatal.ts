/**
 * Causes of Postfix `fatal:` lines and the fix for each, as data. `fatalCauseOf` reads the
 * normalised text of a kind (see `fatalKindText` in `analysis/fatal-kinds.ts`), so numbers are
 * `N` and the paths of lookup tables are `<path>` there.
 *
 * The message formats come from the Postfix source code: `util/dict_db.c`, `util/mymalloc.c`,
 * `util/find_inet.c`, `mail_connect_wait` and the lock files of master. The fixes follow the
 * postmap(1) and postfix(1) manual pages, TLS_README (PEM files, a key without passphrase,
 * read as root) and NON_BERKELEYDB_README (`postconf -m`, lmdb and cdb).
 *
 * Postfix logs two conditions that admins often look for here only as warnings, so they never
 * reach this table: `database … is older than source file …` (util/dict_db.c) and
 * `master_wakeup_timer_event: service …` (master/master_wakeup.c).
 */

import type { EximPanicCause } from "./exim-panic.js";

/** Stable ids of the causes for JSON consumers. `unknown` means that no rule matched. */
export type FatalCause =
  | "missing-lookup-table"
  | "unreadable-lookup-table"
  | "unsupported-table-type"
  | "port-in-use"
  | "unknown-service-name"
  | "missing-config-file"
  | "bad-master-cf"
  | "bad-main-cf-parameter"
  | "internal-service-unreachable"
  | "tls-files"
  | "sasl-no-mechanisms"
  | "postfix-permissions"
  | "out-of-memory"
  | "follows-other-error"
  | EximPanicCause
  | "unknown";

interface FatalRule {
  readonly cause: Exclude<FatalCause, "unknown">;
  readonly text: RegExp;
  readonly fix: string;
}

/** The fix of a kind that no rule explains. */
export const UNKNOWN_FATAL_FIX = "Read the full line in the log and run `postfix check`.";

/** Rules in the order they are tried. The first match decides. */
const RULES: readonly FatalRule[] = [
  {
    cause: "missing-lookup-table",
    text: /\bopen database <path>: No such file or directory/,
    fix:
      "A lookup table named in main.cf or master.cf has no indexed file. Run `postmap` on " +
      "its source file, the path without `.db` (for the aliases table, run `newaliases`), " +
      "or correct the table's path in main.cf. `postconf -n` lists the tables in use.",
  },
  {
    cause: "unreadable-lookup-table",
    text: /\bopen database <path>: Permission denied/,
    fix:
      "Postfix may not read the indexed file of a lookup table. Correct its owner and mode " +
      "(`ls -l` on the file). postmap gives a file that it creates the group and read " +
      "permissions of the source file, so rebuilding after removing it also helps.",
  },
  {
    cause: "unsupported-table-type",
    text: /\bunsupported dictionary type\b|\bsupport for '[a-z]+:<path>' is not available/,
    fix:
      "This Postfix build lacks the table type. `postconf -m` lists the types it supports. " +
      "Install the package that adds the type (Debian and Ubuntu ship mysql, pgsql, pcre " +
      "and lmdb tables as postfix-mysql and so on), or change the table to a listed type, " +
      "such as lmdb: or cdb: in place of hash: and btree:, and rebuild it with `postmap`.",
  },
  {
    cause: "port-in-use",
    text: /\bbind \S+ port N: Address already in use/,
    fix:
      "Another process already listens on that address and port, often a second MTA such " +
      "as Sendmail or Exim, or a Postfix master that still runs. Find it with `ss -ltnp`, " +
      "stop it, and start Postfix again. Two master.cf entries for one port fail the same way.",
  },
  {
    cause: "unknown-service-name",
    text: /\bunknown service: \S+\/(?:tcp|udp)\b|\bServname not supported\b/,
    fix:
      "A service or port name in master.cf or main.cf is not in /etc/services. Use a port " +
      "number, or add the name to /etc/services. A Unix socket such as " +
      "private/dovecot-lmtp needs the `unix:` prefix, as in `lmtp:unix:private/dovecot-lmtp`.",
  },
  {
    cause: "missing-config-file",
    text: /\bopen \S*(?:main|master)\.cf: No such file or directory|\bno \S+\.cf file found/,
    fix:
      "Postfix cannot find its configuration. Restore main.cf and master.cf in the " +
      "configuration directory, usually /etc/postfix, from a backup or the package, or " +
      "correct the `-c` option or MAIL_CONFIG variable that points elsewhere.",
  },
  {
    cause: "bad-master-cf",
    text: /\bmaster\.cf(?:: |, )line N\b/,
    fix:
      "Correct the master.cf line that the message names. `postconf -M` shows the entries " +
      "as Postfix reads them. Then run `postfix check` and `postfix reload`.",
  },
  {
    cause: "bad-main-cf-parameter",
    text: /\bmain\.cf\b|\bconfig variable \S+:|\bparameter [a-z0-9_]+:|\bbad [a-z ]+ configuration: /,
    fix:
      "Correct the main.cf parameter that the message names. `postconf NAME` shows its " +
      "value, and `postconf -e 'NAME = VALUE'` sets it. Then run `postfix check` and " +
      "`postfix reload`.",
  },
  {
    cause: "internal-service-unreachable",
    text: /\bconnect #N to subsystem \S+|\bconnect to (?:private|public)\/\S+/,
    fix:
      "A Postfix daemon could not reach the internal service that the message names, such " +
      "as private/proxymap. Check that Postfix runs (`postfix status`) and that master.cf " +
      "defines the service (`postconf -M`), then run `postfix check` and `postfix reload`.",
  },
  {
    cause: "tls-files",
    text: /\bcertificate\b|\bprivate key\b|\bTLS\b|\.(?:pem|crt|key)\b/i,
    fix:
      "Check the TLS certificate and key files that main.cf and master.cf name " +
      "(smtpd_tls_cert_file and smtpd_tls_key_file, or smtpd_tls_chain_files): they must " +
      "exist, be in PEM format and be readable by root, the key must have no passphrase, " +
      "and it must match the certificate. `postconf -n` shows the settings.",
  },
  {
    cause: "sasl-no-mechanisms",
    text: /\bno SASL authentication mechanisms\b/,
    fix:
      "smtpd found no SASL mechanism to offer, and the warning just before this line says " +
      "why. With Dovecot (smtpd_sasl_type = dovecot), check that Dovecot runs and that " +
      "smtpd_sasl_path names the socket of its auth service, such as private/auth in the " +
      "Postfix queue directory. With Cyrus SASL, install the mechanism plugins " +
      "(libsasl2-modules on Debian and Ubuntu).",
  },
  {
    cause: "postfix-permissions",
    text: /\b(?:open lock file \S+|\S*\/(?:spool|lib)\/postfix\S*):.*\bPermission denied/,
    fix:
      "Postfix may not write its own files, often after a restore, a copy or a change of " +
      "the postfix user's id. `postfix set-permissions` resets owners and modes as the " +
      "postfix-files list gives them. Then run `postfix check`.",
  },
  {
    cause: "out-of-memory",
    text: /\binsufficient memory\b|\bout of (?:virtual )?memory\b|\bCannot allocate memory\b/i,
    fix:
      "The process could not get memory. Check free memory and swap (`free -m`), the " +
      "kernel log for the OOM killer and any memory limit of the service manager. Lower " +
      "default_process_limit in main.cf so that fewer Postfix processes run at once.",
  },
  {
    cause: "follows-other-error",
    text: /\bdaemon initialization failure\b|\bmail system startup failed\b|\bintegrity check failed\b/,
    fix:
      "This line follows another error that says why, often from a child process of the " +
      "same program. Read the fatal and warning lines just before it, and run `postfix check`.",
  },
];

/** A cause with its fix. */
export interface FatalCauseFix {
  readonly cause: FatalCause;
  readonly fix: string;
}

/** Returns the cause and fix of a kind of `fatal:` line from its normalised text. */
export function fatalCauseOf(kindText: string): FatalCauseFix {
  const rule = RULES.find((candidate) => candidate.text.test(kindText));
  return rule === undefined
    ? { cause: "unknown", fix: UNKNOWN_FATAL_FIX }
    : { cause: rule.cause, fix: rule.fix };
}
