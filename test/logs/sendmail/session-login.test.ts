import { describe, expect, test } from "vitest";
import type { LogEvent, LoggedMessage } from "../../../src/logs/events.js";
import { createSendmailParser, type SendmailParser } from "../../../src/logs/sendmail/index.js";
import { runParser } from "../exim/frame.js";

function parse(lines: string[]): ReturnType<typeof runParser> {
  return runParser(createSendmailParser, lines, { year: 2026 });
}

function accounts(events: LogEvent[]): Record<string, string | null> {
  const byId: Record<string, string | null> = {};
  for (const event of events) {
    if (event.type === "message") byId[event.message.id] = event.message.saslUsername;
  }
  return byId;
}

function messages(events: LogEvent[]): LoggedMessage[] {
  return events.flatMap((event) => (event.type === "message" ? [event.message] : []));
}

/** A parse run with the parser's session counts just before `finish()`, which clears them. */
interface SessionRun extends ReturnType<typeof runParser> {
  readonly openSessions: number;
  readonly evictedSessions: number;
}

function parseWithCounts(lines: string[], maxOpenSessions?: number): SessionRun {
  const counts = { openSessions: -1, evictedSessions: -1 };
  const run = runParser(
    (sink) => {
      const parser: SendmailParser = createSendmailParser(sink, undefined, maxOpenSessions);
      return {
        accepts: (program) => parser.accepts(program),
        parse: (record) => parser.parse(record),
        finish: () => {
          counts.openSessions = parser.openSessions;
          counts.evictedSessions = parser.evictedSessions;
          parser.finish();
        },
      };
    },
    lines,
    { year: 2026 },
  );
  return { ...run, ...counts };
}

/** `HH:MM:SS` on 4 March. */
function at(time: string, pid: number, text: string, host = "mx2"): string {
  return `Mar  4 ${time} ${host} sendmail[${pid}]: ${text}`;
}

function login(time: string, pid: number, authid: string, relay = "[192.0.2.20]"): string {
  return at(time, pid, `AUTH=server, relay=${relay}, authid=${authid}, mech=PLAIN, bits=0`);
}

function from(time: string, pid: number, id: string, relay = "[192.0.2.20]"): string {
  return at(
    time,
    pid,
    `${id}: from=<anna@example.com>, size=4100, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MSA, relay=${relay}`,
  );
}

describe("Sendmail AUTH=server without a queue id", () => {
  test("names the account of the next message", () => {
    const { events, outcomes } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:00:00", 1001, "q2400001001001"),
    ]);

    expect(outcomes).toEqual({ parsed: 2, ignored: 0, unparsed: 0 });
    expect(accounts(events)).toEqual({ q2400001001001: "anna" });
  });

  test("after NOQUEUE: names the account too", () => {
    const { events, outcomes } = parse([
      at(
        "08:00:00",
        1001,
        "NOQUEUE: AUTH=server, relay=[192.0.2.20], authid=anna, mech=LOGIN, bits=0",
      ),
      from("08:00:01", 1001, "q2400001001001"),
    ]);

    expect(outcomes.unparsed).toBe(0);
    expect(accounts(events)).toEqual({ q2400001001001: "anna" });
  });

  test("applies to every message in the session", () => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:00:01", 1001, "q2400001001001"),
      from("08:20:01", 1001, "q2400002001001"),
      from("08:50:01", 1001, "q2400003001001"),
    ]);

    expect(accounts(events)).toEqual({
      q2400001001001: "anna",
      q2400002001001: "anna",
      q2400003001001: "anna",
    });
  });

  test("host name relay and authid with @", () => {
    const relay = "client.example.net [192.0.2.20] (may be forged)";
    const { events } = parse([
      login("08:00:00", 1001, "anna@example.com", relay),
      from("08:00:01", 1001, "q2400001001001", "client.example.net [192.0.2.20]"),
    ]);
    const [message] = messages(events);

    expect(message?.saslUsername).toBe("anna@example.com");
    expect(message?.clientHost).toBe("client.example.net");
    expect(message?.clientIp).toBe("192.0.2.20");
  });

  test("IPv6 relay on both lines", () => {
    const relay = "[IPv6:2001:db8::20]";
    const { events } = parse([
      login("08:00:00", 1001, "anna", relay),
      from("08:00:01", 1001, "q2400001001001", relay),
    ]);
    const [message] = messages(events);

    expect(message?.saslUsername).toBe("anna");
    expect(message?.clientIp).toBe("2001:db8::20");
  });

  test("other process or host gets no account", () => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:00:01", 1002, "q2400001001002"),
      at(
        "08:00:02",
        1001,
        "q2400002001001: from=<anna@example.com>, size=1, class=0, nrcpts=1, proto=ESMTPSA, daemon=MSA, relay=[192.0.2.20]",
        "mx3",
      ),
    ]);

    expect(accounts(events)).toEqual({ q2400001001002: null, q2400002001001: null });
  });

  test("a new login replaces the earlier one", () => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:00:01", 1001, "q2400001001001"),
      login("08:05:00", 1001, "sales"),
      from("08:05:01", 1001, "q2400002001001"),
    ]);

    expect(accounts(events)).toEqual({ q2400001001001: "anna", q2400002001001: "sales" });
  });

  test("reused process id with another client gets no account", () => {
    const { events, openSessions } = parseWithCounts([
      login("08:00:00", 1001, "anna"),
      from("08:10:00", 1001, "q2400001001001", "[198.51.100.9]"),
      from("08:10:05", 1001, "q2400002001001"),
    ]);

    expect(accounts(events)).toEqual({ q2400001001001: null, q2400002001001: null });
    expect(openSessions).toBe(0);
  });

  test("login times out after an idle hour", () => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:59:00", 1001, "q2400001001001"),
      from("10:00:00", 1001, "q2400002001001"),
    ]);

    expect(accounts(events)).toEqual({ q2400001001001: "anna", q2400002001001: null });
  });

  test.each([
    "client.example.net [192.0.2.20] did not issue MAIL/EXPN/VRFY/ETRN during connection to MSA",
    "q2400009001001: lost input channel from client.example.net [192.0.2.20] to MSA after rcpt",
    "timeout waiting for input from client.example.net [192.0.2.20] during server cmd read",
    "STARTTLS=server, relay=client.example.net [192.0.2.20], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
  ])("session ends at: %s", (line) => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      at("08:00:30", 1001, line),
      from("08:01:00", 1001, "q2400001001001"),
    ]);

    expect(accounts(events)).toEqual({ q2400001001001: null });
  });

  test("STARTTLS before the login keeps it", () => {
    const { events } = parse([
      at(
        "08:00:00",
        1001,
        "STARTTLS=server, relay=[192.0.2.20], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
      ),
      login("08:00:01", 1001, "anna"),
      from("08:00:02", 1001, "q2400001001001"),
    ]);

    expect(accounts(events)).toEqual({ q2400001001001: "anna" });
  });

  test("login without authid is unparsed", () => {
    const { outcomes } = parse([
      at("08:00:00", 1001, "AUTH=server, relay=[192.0.2.20], mech=PLAIN, bits=0"),
      at("08:00:01", 1001, "AUTH=server, relay=[192.0.2.20], authid=, mech=PLAIN, bits=0"),
    ]);

    expect(outcomes).toEqual({ parsed: 0, ignored: 0, unparsed: 2 });
  });

  test("login line with a queue id wins", () => {
    const { events } = parse([
      login("08:00:00", 1001, "anna"),
      from("08:00:01", 1001, "q2400001001001"),
      at(
        "08:00:01",
        1001,
        "q2400001001001: AUTH=server, relay=[192.0.2.20], authid=sales, mech=PLAIN, bits=0",
      ),
    ]);

    // The line with the id comes after from=, so it overwrites the session's login.
    expect(accounts(events)).toEqual({ q2400001001001: "sales" });
  });
});

function logins(events: LogEvent[]): Array<{ username: string; clientIp: string | null }> {
  return events.flatMap((event) =>
    event.type === "login" && event.protocol === "smtp"
      ? [{ username: event.username, clientIp: event.clientIp }]
      : [],
  );
}

describe("Sendmail AUTH=server login events", () => {
  test("login without a message is reported", () => {
    const { events } = parse([
      at("17:00:00", 9999, "AUTH=server, relay=[192.0.2.7], authid=user3, mech=LOGIN, bits=0"),
      at(
        "17:00:05",
        9999,
        "[192.0.2.7] did not issue MAIL/EXPN/VRFY/ETRN during connection to MSA",
      ),
    ]);

    expect(logins(events)).toEqual([{ username: "user3", clientIp: "192.0.2.7" }]);
    expect(messages(events)).toEqual([]);
  });

  test("NOQUEUE login is reported", () => {
    const { events } = parse([
      at(
        "08:00:00",
        1001,
        "NOQUEUE: AUTH=server, relay=[192.0.2.20], authid=anna, mech=LOGIN, bits=0",
      ),
    ]);

    expect(logins(events)).toEqual([{ username: "anna", clientIp: "192.0.2.20" }]);
  });

  test("login without a process id is reported", () => {
    const { events } = parse([
      "Mar  4 08:00:00 mx2 sendmail: AUTH=server, relay=[192.0.2.20], authid=anna, mech=LOGIN, bits=0",
    ]);

    expect(logins(events)).toEqual([{ username: "anna", clientIp: "192.0.2.20" }]);
  });

  test("login with a queue id is reported", () => {
    const { events } = parse([
      from("08:00:01", 1001, "q2400001001001"),
      at(
        "08:00:01",
        1001,
        "q2400001001001: AUTH=server, relay=host.example.net [192.0.2.21], authid=sales, mech=PLAIN, bits=0",
      ),
    ]);

    expect(logins(events)).toEqual([{ username: "sales", clientIp: "192.0.2.21" }]);
    expect(accounts(events)).toEqual({ q2400001001001: "sales" });
  });

  test("failed login is no login event", () => {
    const { events } = parse([
      at(
        "08:00:00",
        1001,
        "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=user0, relay=[192.0.2.7]",
      ),
    ]);

    expect(logins(events)).toEqual([]);
    expect(events.filter((event) => event.type === "auth-failure")).toHaveLength(1);
  });
});

describe("Sendmail session logins memory bound", () => {
  test("caps open sessions, dropping the least recently active", () => {
    const lines = [1, 2, 3, 4, 5].map((n) =>
      login(`08:00:0${n}`, 1000 + n, `user${n}`, `[192.0.2.${n}]`),
    );
    lines.push(from("08:01:00", 1001, "q2400001001001", "[192.0.2.1]"));
    lines.push(from("08:01:00", 1005, "q2400005001005", "[192.0.2.5]"));
    const { events, openSessions, evictedSessions } = parseWithCounts(lines, 2);

    expect(evictedSessions).toBe(3);
    expect(openSessions).toBe(2);
    expect(accounts(events)).toEqual({ q2400001001001: null, q2400005001005: "user5" });
  });

  test("drops idle logins when a new one arrives", () => {
    const lines = [1, 2, 3].map((n) => login(`08:00:0${n}`, 1000 + n, `user${n}`));
    lines.push(login("09:30:00", 1009, "user9"));
    const { openSessions, evictedSessions } = parseWithCounts(lines);

    expect(openSessions).toBe(1);
    expect(evictedSessions).toBe(0);
  });
});
