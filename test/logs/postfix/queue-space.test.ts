import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Oct 22 14:14:13 mx1";

describe("Postfix queue space lines", () => {
  it("reads the 452 4.3.1 reject", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[4795]: NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<mx.example.net>`,
    ]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "reject")).toHaveLength(1);
    expect(eventsOf(events, "queue-space")[0]).toMatchObject({
      kind: "reject",
      mta: "postfix",
      position: { file: "fixture.log", line: 1 },
      text: "NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<mx.example.net>",
    });
  });

  it("reads the free space warning", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[4795]: warning: not enough free space in mail queue: 183091200 bytes < 1.5*message size limit`,
    ]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "queue-space")[0]).toMatchObject({
      kind: "warning",
      text: "warning: not enough free space in mail queue: 183091200 bytes < 1.5*message size limit",
    });
  });

  it.each([
    ["postfix/smtpd", "postfix"],
    ["postfix-out/smtpd", "postfix-out"],
    ["postfix-out/submission/smtpd", "postfix-out"],
    // The tag of a `journalctl -o with-unit` line of the unit `postfix@postfix-out.service`.
    ["postfix-out/postfix", "postfix-out"],
  ])("gives %s lines the instance %s", (tag, instance) => {
    const { events } = runPostfix([
      `${HEAD} ${tag}[4795]: warning: not enough free space in mail queue: 1000 bytes < 1.5*message size limit`,
      `${HEAD} ${tag}[4795]: 5C1A0B0E1F: client=a.example.com[192.0.2.10]`,
      `${HEAD} ${instance}/qmgr[102]: 5C1A0B0E1F: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)`,
    ]);

    expect(eventsOf(events, "queue-space")[0]?.instance).toBe(instance);
    expect(eventsOf(events, "message")[0]?.message.instance).toBe(instance);
  });

  it("ignores other rejects and warnings", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtpd[4795]: NOQUEUE: reject: RCPT from mx.example.net[192.0.2.35]: 452 4.5.3 Error: too many recipients; from=<a@example.net> to=<b@example.com> proto=ESMTP helo=<mx.example.net>`,
      `${HEAD} postfix/smtpd[4795]: warning: hostname mx.example.net does not resolve to address 192.0.2.35`,
    ]);

    expect(eventsOf(events, "reject")).toHaveLength(1);
    expect(eventsOf(events, "queue-space")).toEqual([]);
  });

  it("ignores a reject without the 4.3.1 text", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtpd[4795]: NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Try again later; proto=ESMTP helo=<mx.example.net>`,
    ]);

    expect(eventsOf(events, "queue-space")).toEqual([]);
  });
});

describe("Postfix queue file write errors", () => {
  it.each([
    [
      "cleanup write",
      "postfix/cleanup[2214]",
      "warning: 7D0A1C0B77: write queue file: No space left on device",
    ],
    [
      "cleanup create",
      "postfix/cleanup[2214]",
      "warning: mail_queue_enter: create file incoming/680611.2214: No space left on device",
    ],
    [
      "cleanup fatal",
      "postfix/cleanup[2214]",
      "fatal: cleanup_final: vstream_fseek incoming/7D0A1C0B77: No space left on device",
    ],
    [
      "postdrop create",
      "postfix/postdrop[3002]",
      "warning: mail_queue_enter: create file maildrop/123456.3002: No space left on device",
    ],
    [
      "instance cleanup",
      "postfix-out/cleanup[2214]",
      "warning: 7D0A1C0B77: write queue file: No space left on device",
    ],
  ])("reads the %s line", (_name, program, message) => {
    const { events, outcomes } = runPostfix([`${HEAD} ${program}: ${message}`]);
    const [event] = eventsOf(events, "queue-space");

    expect(outcomes).toEqual(["parsed"]);
    expect(event?.kind).toBe("write-error");
    expect(event?.submissionFailed).toBe(false);
    expect(event?.uid).toBeNull();
    expect(event?.text).toBe(message);
    expect(eventsOf(events, "fatal-error")).toEqual([]);
  });

  it("reads postdrop's failed submission", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/postdrop[3001]: warning: uid=1004: No space left on device`,
    ]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "queue-space")[0]).toMatchObject({
      kind: "write-error",
      submissionFailed: true,
      uid: 1004,
      mta: "postfix",
      position: { file: "fixture.log", line: 1 },
    });
  });

  it("reads postdrop under a bare tag", () => {
    const { events, outcomes, parser } = runPostfix([
      `${HEAD} postdrop[3001]: warning: uid=33: No space left on device`,
    ]);

    expect(parser.accepts("postdrop")).toBe(true);
    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "queue-space")[0]?.uid).toBe(33);
  });

  it.each([
    ["write error", "fatal: www-data(33): queue file write error", 33],
    [
      "no space",
      "fatal: alice@example.com(1004): error writing queue file: No space left on device",
      1004,
    ],
    ["odd sender", "fatal: a(b)c(0): queue file write error", 0],
    ["no uid", "fatal: www-data(x): queue file write error", null],
  ])("reads sendmail's %s line", (_name, message, uid) => {
    const { events, outcomes } = runPostfix([`${HEAD} postfix/sendmail[3000]: ${message}`]);
    const [event] = eventsOf(events, "queue-space");

    expect(outcomes).toEqual(["parsed"]);
    expect(event?.kind).toBe("sendmail-error");
    expect(event?.submissionFailed).toBe(true);
    expect(event?.uid).toBe(uid);
  });

  it.each([
    [
      "postdrop permission",
      "postfix/postdrop[3001]",
      "warning: mail_queue_enter: create file maildrop/123456.3001: Permission denied",
    ],
    [
      "sendmail pipe",
      "postfix/sendmail[3000]",
      "fatal: www-data(33): error writing queue file: Broken pipe",
    ],
    ["sendmail size", "postfix/sendmail[3000]", "fatal: www-data(33): message file too big"],
    [
      "sendmail usage",
      "postfix/sendmail[3000]",
      "fatal: Recipient addresses must be specified on the command line or via the -t option",
    ],
    [
      "cleanup size",
      "postfix/cleanup[2214]",
      "warning: 7D0A1C0B77: queue file size limit exceeded",
    ],
  ])("ignores the %s line", (_name, program, message) => {
    const { events, outcomes } = runPostfix([`${HEAD} ${program}: ${message}`]);

    expect(outcomes).toEqual(["ignored"]);
    expect(eventsOf(events, "queue-space")).toEqual([]);
  });

  it.each([
    ["file size", "warning: uid=1004: File too large"],
    ["quota", "warning: uid=1004: Disk quota exceeded"],
  ])("reads postdrop's %s cause apart", (_name, message) => {
    const { events, outcomes } = runPostfix([`${HEAD} postfix/postdrop[3001]: ${message}`]);
    const [event] = eventsOf(events, "queue-space");

    expect(outcomes).toEqual(["parsed"]);
    expect(event?.kind).toBe("other-write-error");
    expect(event?.submissionFailed).toBe(true);
    expect(event?.uid).toBe(1004);
    expect(event?.text).toBe(message);
  });

  it("leaves a full mailbox disk alone", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/local[3100]: 7D0A1C0B77: to=<bob@example.com>, relay=local, delay=0.1, delays=0.05/0/0/0.05, dsn=4.3.0, status=deferred (cannot update mailbox /var/mail/bob for user bob. error writing message: No space left on device)`,
      `${HEAD} postfix/virtual[3101]: warning: maildir access problem for UID/GID=5000/5000: create maildir file /var/mail/vhosts/example.com/bob/tmp/1.V1: No space left on device`,
    ]);

    expect(eventsOf(events, "queue-space")).toEqual([]);
  });
});
