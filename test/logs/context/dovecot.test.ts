import { describe, expect, it } from "vitest";
import { createDovecotParser } from "../../../src/logs/context/dovecot.js";
import type { LogEvent } from "../../../src/logs/events.js";
import { toRecord } from "../postfix/fixture.js";

function run(lines: readonly string[]) {
  const events: LogEvent[] = [];
  const parser = createDovecotParser((event) => events.push(event));
  const outcomes = lines.map((line, index) => {
    const record = toRecord(line, index + 1);
    return parser.accepts(record.program) ? parser.parse(record) : "not accepted";
  });
  return { events, outcomes };
}

describe("Dovecot parser", () => {
  it("reads logins", () => {
    const { events, outcomes } = run([
      "Mar  4 09:14:58 mx1 dovecot: imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=198.51.100.7, lip=192.0.2.10, mpid=3001, TLS, session=<AbCdEf>",
      "Mar  4 09:14:59 mx1 dovecot: pop3-login: Info: Login: user=<bob@example.com>, method=PLAIN, rip=2001:db8::7, lip=2001:db8::1, mpid=18, TLS, session=<PeYc>",
      "Mar  4 09:15:00 mx1 dovecot: submission-login: Logged in: user=<carol@example.com>, method=PLAIN, rip=203.0.113.7, lip=192.0.2.10, mpid=64194, TLS, session=<AjVC>",
    ]);
    expect(outcomes).toEqual(["parsed", "parsed", "parsed"]);
    expect(events).toEqual([
      {
        type: "login",
        time: Date.UTC(2024, 2, 4, 9, 14, 58),
        position: { file: "fixture.log", line: 1 },
        username: "alice@example.com",
        clientIp: "198.51.100.7",
        protocol: "imap",
        mta: null,
      },
      expect.objectContaining({
        username: "bob@example.com",
        clientIp: "2001:db8::7",
        protocol: "pop3",
      }),
      expect.objectContaining({ username: "carol@example.com", protocol: "submission" }),
    ]);
  });

  it("reads failed logins of the login processes", () => {
    const { events } = run([
      "Mar  4 09:20:05 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 6 secs): user=<alice@example.com>, method=PLAIN, rip=203.0.113.10, lip=192.0.2.10, TLS",
      "Mar  4 09:20:06 mx1 dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=203.0.113.11, lip=192.0.2.10",
      "Mar  4 09:20:07 mx1 dovecot: imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 0 secs) (auth_failed): user=<>, method=NTLM, rip=203.0.113.12, lip=192.0.2.10",
    ]);
    expect(
      events.map((event) => event.type === "auth-failure" && [event.username, event.clientIp]),
    ).toEqual([
      ["alice@example.com", "203.0.113.10"],
      ["test", "203.0.113.11"],
      [null, "203.0.113.12"],
    ]);
  });

  it("counts each attempt of a session", () => {
    const { events, outcomes } = run([
      "Mar  4 09:20:05 mx1 dovecot: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=203.0.113.20, lip=192.0.2.10, TLS",
      "Mar  4 09:20:06 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<bob>, method=PLAIN, rip=203.0.113.21, lip=192.0.2.10, TLS",
      "Mar  4 09:20:07 mx1 dovecot: pop3-login: Disconnected (auth failed, 0 attempts in 1 secs): user=<carol>, rip=203.0.113.22, lip=192.0.2.10",
    ]);
    expect(outcomes).toEqual(["parsed", "parsed", "parsed"]);
    const ips = events.map((event) => event.type === "auth-failure" && event.clientIp);
    expect(ips).toEqual([
      "203.0.113.20",
      "203.0.113.20",
      "203.0.113.20",
      "203.0.113.21",
      "203.0.113.21",
      "203.0.113.22",
    ]);
  });

  it("caps the attempts of one line", () => {
    const { events } = run([
      "Mar  4 09:20:05 mx1 dovecot: imap-login: Disconnected (auth failed, 99999999 attempts in 9 secs): user=<test>, rip=203.0.113.23, lip=192.0.2.10",
    ]);
    expect(events).toHaveLength(100);
  });

  it("counts a failure with its passdb line once", () => {
    const { events, outcomes } = run([
      "Mar  4 09:20:05 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin@example.com>, method=PLAIN, rip=192.0.2.200, lip=192.0.2.10, TLS",
      "Mar  4 09:20:05 mx1 dovecot: auth: passwd-file(admin@example.com,192.0.2.200): unknown user",
    ]);
    expect(outcomes).toEqual(["parsed", "ignored"]);
    expect(events).toEqual([
      {
        type: "auth-failure",
        time: Date.UTC(2024, 2, 4, 9, 20, 5),
        position: { file: "fixture.log", line: 1 },
        clientIp: "192.0.2.200",
        username: "admin@example.com",
        program: "dovecot",
        mta: null,
      },
    ]);
  });

  it("ignores passdb lines", () => {
    const { events, outcomes } = run([
      "Mar  4 09:20:05 mx1 dovecot: auth: passwd-file(alice@example.com,198.51.100.10): Password mismatch",
      "Mar  4 09:20:06 mx1 dovecot: auth-worker(304): pam(bob,203.0.113.6): pam_authenticate() failed: Authentication failure (password mismatch?)",
      "Mar  4 09:20:07 mx1 dovecot: auth: sql(admin@example.com,192.0.2.5,<n4JLdHNVngZGpV2j>): unknown user",
    ]);
    expect(outcomes).toEqual(["ignored", "ignored", "ignored"]);
    expect(events).toEqual([]);
  });

  it("ignores other Dovecot lines", () => {
    const { events, outcomes } = run([
      "Mar  4 09:20:05 mx1 dovecot: imap-login: Disconnected (no auth attempts in 10 secs): user=<>, rip=203.0.113.26, lip=192.0.2.10, TLS",
      "Mar  4 09:20:06 mx1 dovecot: master: Dovecot v2.3.16 starting up for imap, lmtp",
      "Mar  4 09:20:07 mx1 postfix/smtpd[2300]: connect from unknown[203.0.113.9]",
    ]);
    expect(outcomes).toEqual(["ignored", "ignored", "not accepted"]);
    expect(events).toEqual([]);
  });
});
