import { describe, expect, test } from "vitest";
import { fatalKindText } from "../../src/analysis/fatal-kinds.js";
import {
  fatalCauseOf,
  UNKNOWN_FATAL_FIX,
  type FatalCause,
} from "../../src/knowledge/postfix-fatal.js";

/** Example `fatal:` messages, the cause each must get and a piece its fix must contain. */
const CASES: ReadonlyArray<readonly [string, FatalCause, string]> = [
  [
    "fatal: open database /etc/postfix/virtual.db: No such file or directory",
    "missing-lookup-table",
    "`postmap`",
  ],
  [
    "fatal: open database /etc/postfix/aliases.db: No such file or directory",
    "missing-lookup-table",
    "`newaliases`",
  ],
  [
    "fatal: open database /etc/postfix/transport.db: Permission denied",
    "unreadable-lookup-table",
    "`ls -l`",
  ],
  ["fatal: unsupported dictionary type: hash", "unsupported-table-type", "`postconf -m`"],
  [
    "fatal: Berkeley DB support for 'hash:/etc/postfix/virtual' is not available for this build",
    "unsupported-table-type",
    "lmdb:",
  ],
  ["fatal: bind 0.0.0.0 port 25: Address already in use", "port-in-use", "`ss -ltnp`"],
  ["fatal: bind 192.0.2.10 port 587: Address already in use", "port-in-use", "`ss -ltnp`"],
  [
    "fatal: unknown service: private/dovecot-lmtp/tcp",
    "unknown-service-name",
    "`lmtp:unix:private/dovecot-lmtp`",
  ],
  [
    "fatal: 127.0.0.1:submissionx: Servname not supported for ai_socktype",
    "unknown-service-name",
    "/etc/services",
  ],
  [
    "fatal: open /etc/postfix/main.cf: No such file or directory",
    "missing-config-file",
    "MAIL_CONFIG",
  ],
  ["fatal: no /etc/postfix/master.cf file found", "missing-config-file", "/etc/postfix"],
  [
    "fatal: /etc/postfix/master.cf: line 19: bad transport type: inet6",
    "bad-master-cf",
    "`postconf -M`",
  ],
  [
    "fatal: bad numerical configuration: smtpd_client_connection_count_limit = ten",
    "bad-main-cf-parameter",
    "`postconf -e 'NAME = VALUE'`",
  ],
  [
    "fatal: config variable inet_interfaces: host not found: mx1.example.invalid",
    "bad-main-cf-parameter",
    "`postfix check`",
  ],
  [
    "fatal: file /etc/postfix/main.cf: parameter default_privs: unknown user name value: nobody2",
    "bad-main-cf-parameter",
    "`postconf NAME`",
  ],
  [
    "fatal: connect #11 to subsystem private/proxymap: Connection refused",
    "internal-service-unreachable",
    "`postfix status`",
  ],
  [
    "fatal: open /etc/ssl/private/mx.example.com.key: Permission denied",
    "tls-files",
    "smtpd_tls_key_file",
  ],
  ["fatal: TLS library initialization failed", "tls-files", "PEM"],
  ["fatal: no SASL authentication mechanisms", "sasl-no-mechanisms", "smtpd_sasl_path"],
  [
    "fatal: open lock file /var/lib/postfix/master.lock: cannot open file: Permission denied",
    "postfix-permissions",
    "`postfix set-permissions`",
  ],
  [
    "fatal: open lock file pid/master.pid: Permission denied",
    "postfix-permissions",
    "`postfix set-permissions`",
  ],
  [
    "fatal: mymalloc: insufficient memory for 1048576 bytes: Cannot allocate memory",
    "out-of-memory",
    "`free -m`",
  ],
  ["fatal: out of virtual memory", "out-of-memory", "default_process_limit"],
  ["fatal: daemon initialization failure", "follows-other-error", "just before it"],
  ["fatal: mail system startup failed", "follows-other-error", "`postfix check`"],
  ["fatal: Postfix integrity check failed!", "follows-other-error", "`postfix check`"],
];

describe("fatalCauseOf", () => {
  test.each(CASES)("%s", (line, cause, fixPart) => {
    const result = fatalCauseOf(fatalKindText(line));

    expect(result.cause).toBe(cause);
    expect(result.fix).toContain(fixPart);
  });

  test("unknown kind gets the general fix", () => {
    const result = fatalCauseOf(fatalKindText("fatal: unexpected end-of-input from a socket"));

    expect(result.cause).toBe("unknown");
    expect(result.fix).toBe(UNKNOWN_FATAL_FIX);
    expect(result.fix).toContain("`postfix check`");
  });
});
