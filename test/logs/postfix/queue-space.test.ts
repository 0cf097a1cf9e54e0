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

  it("ignores other rejects and warnings", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtpd[4795]: NOQUEUE: reject: RCPT from mx.example.net[192.0.2.35]: 452 4.5.3 Error: too many recipients; from=<a@example.net> to=<b@example.com> proto=ESMTP helo=<mx.example.net>`,
      `${HEAD} postfix/smtpd[4795]: warning: hostname mx.example.net does not resolve to address 192.0.2.35`,
    ]);

    expect(eventsOf(events, "reject")).toHaveLength(1);
    expect(eventsOf(events, "queue-space")).toEqual([]);
  });
});
