import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 09:15:04 mx1";
const OUTLOOK_REPLY =
  "host outlook-com.olc.protection.outlook.com[192.0.2.40] said: 550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. (in reply to MAIL FROM command)";

/** A bounced delivery line to Outlook.com, with the tag and status word given. */
function bounced(tag: string, status = "bounced"): string {
  return `${HEAD} ${tag}[2213]: 4B7E21C0A3: to=<carol@outlook.com>, relay=outlook-com.olc.protection.outlook.com[192.0.2.40]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=${status} (${OUTLOOK_REPLY})`;
}

describe("Postfix lines that do not make sense", () => {
  it("counts a line of an unknown daemon as unparsed", () => {
    const { events, outcomes, parser } = runPostfix([bounced("postfix/foobar")]);

    expect(outcomes).toEqual(["unparsed"]);
    expect(events).toEqual([]);
    expect(parser.openMessages).toBe(0);
  });

  it("counts a tag damaged by NUL bytes as unparsed", () => {
    const { events, outcomes } = runPostfix([bounced("postfix/sm\u0000\u0000\u0000tp")]);

    expect(outcomes).toEqual(["unparsed"]);
    expect(events).toEqual([]);
  });

  it("counts an unknown status word as unparsed", () => {
    const { events, outcomes, parser } = runPostfix([bounced("postfix/smtp", "b0unced")]);

    expect(outcomes).toEqual(["unparsed"]);
    expect(events).toEqual([]);
    expect(parser.openMessages).toBe(0);
  });

  it("reads SOFTBOUNCE as a deferral", () => {
    const { events, outcomes } = runPostfix([bounced("postfix/smtp", "SOFTBOUNCE")]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "delivery")[0]?.status).toBe("deferred");
  });

  it("reads an uncached verification result as no delivery", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/error[2214]: 3E29030F8637E: to=<user@example.net>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, status=undeliverable-but-not-cached (User unknown in virtual alias table)`,
    ]);

    expect(eventsOf(events, "delivery")[0]?.status).toBe("other");
  });

  it("follows the old queue manager", () => {
    const { events, outcomes, parser } = runPostfix([
      `${HEAD} postfix/pickup[905]: 4B7E21C0A3: uid=33 from=<www-data>`,
      `${HEAD} postfix/oqmgr[901]: 4B7E21C0A3: from=<www-data@example.com>, size=900, nrcpt=1 (queue active)`,
      `${HEAD} postfix/oqmgr[901]: 4B7E21C0A3: removed`,
    ]);

    expect(outcomes).toEqual(["parsed", "parsed", "parsed"]);
    expect(eventsOf(events, "message")).toHaveLength(1);
    expect(parser.openMessages).toBe(0);
  });

  it("counts a reject without its usual shape as unparsed", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2211]: NOQUEUE: reject: RCPT from`,
      `${HEAD} postfix/postscreen[2210]: NOQUEUE: reject: RCPT`,
    ]);

    expect(outcomes).toEqual(["unparsed", "unparsed"]);
    expect(events).toEqual([]);
  });

  it("ignores other actions before a queue id", () => {
    const { outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2211]: NOQUEUE: filter: RCPT from unknown[198.51.100.7]: <x@example.com>: Sender address triggers FILTER smtp:[127.0.0.1]:10025; from=<x@example.com> to=<y@example.net> proto=ESMTP helo=<x>`,
    ]);

    expect(outcomes).toEqual(["ignored"]);
  });

  it("ignores postscreen's tests and counts other text as unparsed", () => {
    const { outcomes } = runPostfix([
      `${HEAD} postfix/postscreen[2210]: CONNECT from [198.51.100.7]:51234 to [192.0.2.10]:25`,
      `${HEAD} postfix/postscreen[2210]: PASS NEW [198.51.100.7]:51234`,
      `${HEAD} postfix/postscreen[2210]: cache btree:/var/lib/postfix/postscreen_cache full cleanup: retained=12 dropped=3 entries`,
      `${HEAD} postfix/postscreen[2210]: \u0000\u0000garbage`,
    ]);

    expect(outcomes).toEqual(["ignored", "ignored", "ignored", "unparsed"]);
  });

  it("counts a header action without its trailer as unparsed", () => {
    const { outcomes } = runPostfix([
      `${HEAD} postfix/cleanup[2212]: 4B7E21C0A3: warning: header Subject: cut short here`,
    ]);

    expect(outcomes).toEqual(["unparsed"]);
  });
});
