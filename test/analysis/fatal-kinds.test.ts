import { describe, expect, test } from "vitest";
import {
  eximPanicKindText,
  FatalErrors,
  fatalKindText,
  MAX_FATAL_KINDS,
  type FatalKind,
} from "../../src/analysis/fatal-kinds.js";
import type { FatalErrorEvent, LifecycleEvent } from "../../src/logs/events.js";

function fatalEvent(
  program: string,
  text: string,
  time: number,
  line: number,
  host = "mx1",
): FatalErrorEvent {
  return {
    type: "fatal-error",
    time,
    position: { file: "mail.log", line },
    host,
    mta: "postfix",
    program,
    text,
  };
}

function startEvent(
  time: number,
  version: string | null,
  host = "mx1",
  program = "postfix/master",
): LifecycleEvent {
  return {
    type: "lifecycle",
    time,
    position: { file: "mail.log", line: time },
    host,
    program,
    action: "start",
    mta: "postfix",
    version,
  };
}

/** Returns the only kind of `program`, and fails the test when there is none. */
function kindOf(failures: FatalErrors, program: string): FatalKind {
  const kind = [...failures.kinds.values()].find((candidate) => candidate.program === program);
  if (kind === undefined) throw new Error(`no fatal kind of ${program}`);
  return kind;
}

describe("fatalKindText", () => {
  test("database paths become <path>", () => {
    expect(fatalKindText("fatal: open database /etc/postfix/virtual.db: No such file")).toBe(
      "fatal: open database <path>: No such file",
    );
    expect(fatalKindText("fatal: open database /var/lib/mailman/data/aliases.db: x")).toBe(
      "fatal: open database <path>: x",
    );
  });

  test("table references keep their type", () => {
    expect(fatalKindText("fatal: hash:/etc/postfix/transport: table lookup problem")).toBe(
      "fatal: hash:<path>: table lookup problem",
    );
  });

  test("queue ids and numbers are replaced", () => {
    expect(fatalKindText("fatal: 4B7E21C0A3: bad record")).toBe("fatal: <queue id>: bad record");
    expect(fatalKindText("fatal: 4TqKm36Ybfz9LRq: bad record")).toBe(
      "fatal: <queue id>: bad record",
    );
    expect(fatalKindText("fatal: bind 192.0.2.10 port 587: Address already in use")).toBe(
      "fatal: bind N.N.N.N port N: Address already in use",
    );
    expect(fatalKindText("fatal: connect #11 to subsystem private/proxymap: refused")).toBe(
      "fatal: connect #N to subsystem private/proxymap: refused",
    );
  });

  test("other paths and words with digits stay", () => {
    expect(fatalKindText("fatal: open /etc/postfix/main.cf: No such file or directory")).toBe(
      "fatal: open /etc/postfix/main.cf: No such file or directory",
    );
    expect(fatalKindText("fatal: parameter mail_owner: unknown user name value: postfix12")).toBe(
      "fatal: parameter mail_owner: unknown user name value: postfix12",
    );
    expect(fatalKindText("fatal: unknown service: private/dovecot-lmtp/tcp")).toBe(
      "fatal: unknown service: private/dovecot-lmtp/tcp",
    );
  });
});

describe("eximPanicKindText", () => {
  test("opened file becomes <path>", () => {
    const line = (domain: string) =>
      'failed to expand "${lookup{$local_part}lsearch{/etc/exim4/virtual/$domain}}" while ' +
      `checking a list: failed to open /etc/exim4/virtual/${domain} for linear search: ` +
      "No such file or directory (euid=101 egid=101)";

    expect(eximPanicKindText(line("d1.example"))).toBe(
      'failed to expand "${lookup{$local_part}lsearch{/etc/exim4/virtual/$domain}}" while ' +
        "checking a list: failed to open <path> for linear search: No such file or directory " +
        "(euid=N egid=N)",
    );
    expect(eximPanicKindText(line("example.org"))).toBe(eximPanicKindText(line("d1.example")));
  });

  test("configuration file path stays", () => {
    expect(
      eximPanicKindText("Exim configuration error in line 812 of /etc/exim4/exim4.conf:"),
    ).toBe("Exim configuration error in line N of /etc/exim4/exim4.conf:");
  });
});

describe("FatalErrors", () => {
  test("groups by program and kind", () => {
    const failures = new FatalErrors();
    failures.add(
      fatalEvent("postfix/smtpd", "fatal: open database /etc/a.db: No such file", 300, 3),
    );
    failures.add(
      fatalEvent("postfix/smtpd", "fatal: open database /etc/b.db: No such file", 100, 1),
    );
    failures.add(
      fatalEvent("postfix/cleanup", "fatal: open database /etc/a.db: No such file", 200, 2),
    );

    expect(failures.count).toBe(3);
    expect(failures.first).toBe(100);
    expect(failures.last).toBe(300);
    expect(failures.sample?.position.line).toBe(1);
    expect(failures.kinds.size).toBe(2);
    const smtpd = [...failures.kinds.values()].find((kind) => kind.program === "postfix/smtpd");
    expect(smtpd?.count).toBe(2);
    expect(smtpd?.first).toBe(100);
    expect(smtpd?.last).toBe(300);
    expect(smtpd?.text).toBe("fatal: open database <path>: No such file");
    expect(smtpd?.sample.text).toBe("postfix/smtpd: fatal: open database /etc/b.db: No such file");
    expect(smtpd?.sample.position.line).toBe(1);
  });

  test("kinds past the maximum count as untracked lines", () => {
    const failures = new FatalErrors();
    const extra = 5;
    for (let index = 0; index < MAX_FATAL_KINDS + extra; index++) {
      failures.add(fatalEvent(`postfix/service${index}`, "fatal: x", index, index + 1));
    }
    failures.add(fatalEvent("postfix/service0", "fatal: x", 1000, 1000));

    expect(failures.kinds.size).toBe(MAX_FATAL_KINDS);
    expect(failures.untrackedLines).toBe(extra);
    expect(failures.count).toBe(MAX_FATAL_KINDS + extra + 1);
    expect(failures.last).toBe(1000);
  });

  test("master start ends start failures", () => {
    const failures = new FatalErrors();
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 100, 1));
    failures.add(fatalEvent("postfix/postfix-script", "fatal: mail system startup failed", 101, 2));
    failures.add(fatalEvent("postfix", "fatal: open /etc/postfix/main.cf: missing", 102, 3));
    failures.add(fatalEvent("postfix/smtp", "fatal: unknown service: private/x/tcp", 103, 4));

    // postfix-script's line before master runs has no version and ends nothing.
    failures.addLifecycle(startEvent(200, null));
    expect(failures.lastMasterStart("mx1", "postfix/master")).toBeUndefined();
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(false);

    failures.addLifecycle(startEvent(201, "3.6.4"));
    expect(failures.lastMasterStart("mx1", "postfix/master")).toBe(201);
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(true);
    expect(failures.isEndedByStart(kindOf(failures, "postfix/postfix-script"))).toBe(true);
    expect(failures.isEndedByStart(kindOf(failures, "postfix"))).toBe(true);
    // A daemon's fatal line can come back after any start.
    expect(failures.isEndedByStart(kindOf(failures, "postfix/smtp"))).toBe(false);
  });

  test("start before the last line ends nothing", () => {
    const failures = new FatalErrors();
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 100, 1));
    failures.addLifecycle(startEvent(150, "3.6.4"));
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 300, 2));
    const master = kindOf(failures, "postfix/master");

    expect(master.count).toBe(2);
    expect(failures.isEndedByStart(master)).toBe(false);
  });
});

describe("FatalErrors by host", () => {
  test("same text on two hosts is two kinds", () => {
    const failures = new FatalErrors();
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 100, 1));
    failures.add(
      fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 110, 2, "mx2"),
    );

    expect(failures.kinds.size).toBe(2);
    expect([...failures.kinds.values()].map((kind) => kind.host)).toEqual(["mx1", "mx2"]);
    expect([...failures.hosts]).toEqual(["mx1", "mx2"]);
  });

  test("start on another host ends nothing", () => {
    const failures = new FatalErrors();
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 100, 1));
    failures.add(fatalEvent("postfix/postfix-script", "fatal: mail system startup failed", 101, 2));
    failures.addLifecycle(startEvent(200, "3.7.11", "mx2"));

    expect(failures.lastMasterStart("mx2", "postfix/master")).toBe(200);
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(false);
    expect(failures.isEndedByStart(kindOf(failures, "postfix/postfix-script"))).toBe(false);

    failures.addLifecycle(startEvent(300, "3.7.11", "mx1"));
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(true);
  });

  test("start of another instance ends nothing", () => {
    const failures = new FatalErrors();
    failures.add(fatalEvent("postfix/master", "fatal: bind 0.0.0.0 port 25: in use", 100, 1));
    failures.add(fatalEvent("postfix", "fatal: open /etc/postfix/main.cf: missing", 101, 2));
    failures.add(fatalEvent("postfix-out/master", "fatal: bind 0.0.0.0 port 25: in use", 102, 3));
    failures.addLifecycle(startEvent(200, "3.7.11", "mx1", "postfix-out/master"));

    expect(failures.kinds.size).toBe(3);
    expect(failures.lastMasterStart("mx1", "postfix-out/master")).toBe(200);
    expect(failures.lastMasterStart("mx1", "postfix/master")).toBeUndefined();
    expect(failures.isEndedByStart(kindOf(failures, "postfix-out/master"))).toBe(true);
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(false);
    expect(failures.isEndedByStart(kindOf(failures, "postfix"))).toBe(false);

    failures.addLifecycle(startEvent(300, "3.7.11", "mx1", "postfix/master"));
    expect(failures.isEndedByStart(kindOf(failures, "postfix/master"))).toBe(true);
    expect(failures.isEndedByStart(kindOf(failures, "postfix"))).toBe(true);
  });

  test("instance script failure ends at start", () => {
    const failures = new FatalErrors();
    failures.add(
      fatalEvent("postfix-out/postfix-script", "fatal: mail system startup failed", 100, 1),
    );
    failures.addLifecycle(startEvent(200, "3.7.11", "mx1", "postfix-out/master"));

    expect(failures.isEndedByStart(kindOf(failures, "postfix-out/postfix-script"))).toBe(true);
  });

  test("exim kinds join per-domain lookup files", () => {
    const failures = new FatalErrors();
    for (let index = 1; index <= 150; index++) {
      failures.add({
        ...fatalEvent(
          "exim",
          `failed to open /etc/exim4/virtual/d${index}.example for linear search: No such file or directory`,
          index,
          index,
        ),
        mta: "exim",
      });
    }

    expect(failures.kinds.size).toBe(1);
    expect(failures.untrackedLines).toBe(0);
    expect(kindOf(failures, "exim").count).toBe(150);
    expect(kindOf(failures, "exim").text).toBe(
      "failed to open <path> for linear search: No such file or directory",
    );
  });
});
