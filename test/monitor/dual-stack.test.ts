import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addressFamilyOf, dualStackPair } from "../../src/monitor/log-families.js";
import { LogWindow } from "../../src/monitor/log-window.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { FakeClock } from "../helpers/clock.js";
import { GMAIL_RATE_LIMIT, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// The server's own addresses, and a Gmail MX of each family.
const SERVER_IPV4 = "192.0.2.10";
const SERVER_IPV6 = "2001:db8::10";
const MX_IPV4 = "192.0.2.27";
const MX_IPV6 = "2001:db8:4860::1b";
const MX_HOST = "gmail-smtp-in.l.google.com";

/** Gmail's rate limit naming `ip` as the IP it judged. */
function rateLimitOf(ip: string): Outcome {
  return { ...GMAIL_RATE_LIMIT, reply: GMAIL_RATE_LIMIT.reply.replace("203.0.113.10", ip) };
}

/** Gmail's rate limit in a form that names no IP. */
const RATE_LIMIT_UNNAMED: Outcome = {
  status: "deferred",
  dsn: "4.7.28",
  reply:
    "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail. To protect our users from spam, mail has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp",
};

/** A delivery that never reached a server: no relay IP. */
const NO_MX: Outcome = {
  status: "deferred",
  dsn: "4.4.3",
  reply: "Host or domain name not found. Name service error for name=gmail.com type=MX",
};

/**
 * Postfix lines of one message per attempt to a Gmail recipient, each through `mxIp` (null for
 * `relay=none`), `stepMs` apart from `start` on.
 */
function attempts(
  start: number,
  mxIp: string | null,
  outcomes: readonly Outcome[],
  stepMs = MINUTE,
): string {
  return outcomes
    .map((outcome, index) => {
      const time = start + index * stepMs;
      const id = `${(0x40000 + Math.floor(time / 1000) + index).toString(16).toUpperCase()}`;
      const stamp = new Date(time).toISOString().replace("Z", "+00:00");
      const relay = mxIp === null ? "none" : `${MX_HOST}[${mxIp}]:25`;
      const result =
        outcome.status === "sent" || mxIp === null
          ? outcome.reply
          : `host ${MX_HOST}[${mxIp}] said: ${outcome.reply} (in reply to end of DATA command)`;
      return [
        `${stamp} mail postfix/qmgr[1001]: ${id}: from=<sales@example.com>, size=2000, nrcpt=1 (queue active)`,
        `${stamp} mail postfix/smtp[1002]: ${id}: to=<user${index}@gmail.com>, relay=${relay}, delay=1, delays=0.1/0/0.4/0.5, dsn=${outcome.dsn}, status=${outcome.status} (${result})`,
        "",
      ].join("\n");
    })
    .join("");
}

function times<T>(count: number, value: T): T[] {
  return Array.from({ length: count }, () => value);
}

function dualStackMonitor(dir: string, store: HistoryStore, clock: FakeClock, config: object) {
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [SERVER_IPV4, SERVER_IPV6],
      logs: ["mail.log"],
      logsFromStart: true,
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      ...config,
    },
  });
}

describe("address family of an IP", () => {
  it.each([
    ["192.0.2.1", "ipv4"],
    ["2001:db8::1", "ipv6"],
    ["IPv6:2001:db8::1", "ipv6"],
    ["::ffff:192.0.2.1", "ipv4"],
    ["unknown", null],
    [null, null],
  ])("of %s is %s", (ip, family) => {
    expect(addressFamilyOf(ip)).toBe(family);
  });
});

describe("dual-stack pair", () => {
  it("takes one address of each family", () => {
    expect(dualStackPair([SERVER_IPV6, SERVER_IPV4])).toEqual({
      ipv4: SERVER_IPV4,
      ipv6: SERVER_IPV6,
    });
  });

  it("counts spellings of one address once", () => {
    expect(dualStackPair(["2001:DB8:0::10", SERVER_IPV6, SERVER_IPV4])).toEqual({
      ipv4: SERVER_IPV4,
      ipv6: SERVER_IPV6,
    });
  });

  it.each([
    ["one address", [SERVER_IPV4]],
    ["two IPv4 addresses", [SERVER_IPV4, "192.0.2.11"]],
    ["two IPv6 and one IPv4", [SERVER_IPV4, SERVER_IPV6, "2001:db8::11"]],
    ["an IPv4-mapped address as IPv4", [SERVER_IPV4, "::ffff:192.0.2.11"]],
    ["no address", []],
  ])("is null for %s", (_case, ips) => {
    expect(dualStackPair(ips)).toBeNull();
  });
});

describe("log window split by family", () => {
  function split(text: string) {
    const window = new LogWindow(resolveTimeZone("UTC"), { splitFamilies: true });
    window.add("mail.log", T0, Buffer.from(text), true);
    return window.finish(T0 + 60 * MINUTE, "test");
  }

  it("counts each attempt for its relay's family", () => {
    const analysed = split(
      attempts(T0, MX_IPV4, times(2, rateLimitOf(SERVER_IPV4))) +
        attempts(T0 + 10 * MINUTE, MX_IPV6, times(3, SENT)),
    );
    expect(analysed.diagnosis.providers.gmail?.attempts).toBe(5);
    const ipv4 = analysed.families?.ipv4.providers.gmail;
    const ipv6 = analysed.families?.ipv6.providers.gmail;
    expect(ipv4?.status).toBe("rate-limited");
    expect(ipv4?.attempts).toBe(2);
    expect(ipv4?.sent).toBe(0);
    expect(ipv6?.status).toBe("ok");
    expect(ipv6?.attempts).toBe(3);
    expect(ipv6?.sent).toBe(3);
  });

  it("counts an attempt without relay IP for neither", () => {
    const analysed = split(
      attempts(T0, null, times(4, NO_MX)) + attempts(T0 + 10 * MINUTE, MX_IPV6, [SENT]),
    );
    expect(analysed.diagnosis.providers.gmail?.attempts).toBe(5);
    expect(analysed.families?.ipv4.providers.gmail).toBeUndefined();
    expect(analysed.families?.ipv6.providers.gmail?.attempts).toBe(1);
  });

  it("counts a session reply for its relay's family", () => {
    const stamp = new Date(T0).toISOString().replace("Z", "+00:00");
    const reply = rateLimitOf(SERVER_IPV6).reply;
    const analysed = split(
      `${stamp} mail postfix/smtp[1002]: 4A1B2C3D4E: host ${MX_HOST}[${MX_IPV6}] refused to talk to me: ${reply}\n`,
    );
    expect(analysed.diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(analysed.families?.ipv6.providers.gmail?.status).toBe("rate-limited");
    expect(analysed.families?.ipv4.providers.gmail).toBeUndefined();
  });

  it("keeps named IPs with their family", () => {
    const analysed = split(
      attempts(T0, MX_IPV4, [rateLimitOf(SERVER_IPV4)]) +
        attempts(T0 + 10 * MINUTE, MX_IPV6, [rateLimitOf(SERVER_IPV6)]),
    );
    expect([...(analysed.families?.ipv4.judgedIps.keys() ?? [])]).toEqual([SERVER_IPV4]);
    expect([...(analysed.families?.ipv6.judgedIps.keys() ?? [])]).toEqual([SERVER_IPV6]);
  });

  it("is null unless requested", () => {
    const window = new LogWindow(resolveTimeZone("UTC"));
    window.add("mail.log", T0, Buffer.from(attempts(T0, MX_IPV6, [SENT])), true);
    expect(window.finish(T0 + MINUTE, "test").families).toBeNull();
  });
});

describe("log job on a dual-stack server", () => {
  const ipv4Key = blockKey("gmail", SERVER_IPV4);
  const ipv6Key = blockKey("gmail", SERVER_IPV6);

  it("lifts one family's block and keeps the other", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(
      path,
      attempts(T0, MX_IPV4, times(2, rateLimitOf(SERVER_IPV4))) +
        attempts(T0 + 5 * MINUTE, MX_IPV6, times(2, rateLimitOf(SERVER_IPV6))),
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor } = dualStackMonitor(dir, store, clock, {});
    await monitor.runJob("logs");
    expect(store.states.get(ipv4Key)?.value).toBe("rate-limited");
    expect(store.states.get(ipv6Key)?.value).toBe("rate-limited");
    expect(store.incidents.latest(ipv6Key)?.openEvidence).toMatchObject({
      relayFamily: "ipv6",
      attempts: 2,
      blockedAttempts: 2,
    });

    // Gmail accepts the mail sent over IPv6 for over two hours and still defers the mail sent
    // over IPv4.
    const later = T0 + 4 * HOUR;
    appendFileSync(
      path,
      attempts(T0 + 10 * MINUTE, MX_IPV6, times(25, SENT), 7 * MINUTE) +
        attempts(later - 10 * MINUTE, MX_IPV4, [rateLimitOf(SERVER_IPV4)]) +
        attempts(later - 5 * MINUTE, null, [NO_MX]),
    );
    clock.set(later);
    await monitor.runJob("logs");
    expect(store.states.get(ipv6Key)?.value).toBe("ok");
    // The lift is dated by the last IPv6 deferral, at six minutes.
    expect(store.incidents.latest(ipv6Key)?.closedAt).toBe(T0 + 6 * MINUTE);
    expect(store.incidents.latest(ipv6Key)?.closeEvidence).toMatchObject({
      ip: SERVER_IPV6,
      relayFamily: "ipv6",
      attempts: 25,
      sent: 25,
    });
    expect(store.states.get(ipv4Key)?.value).toBe("rate-limited");
    expect(store.incidents.latest(ipv4Key)?.closedAt).toBeNull();
    store.close();
  });

  it("gives an unnamed block to its family's address", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "mail.log"),
      attempts(T0, MX_IPV6, times(2, RATE_LIMIT_UNNAMED)) + attempts(T0, MX_IPV4, [SENT]),
    );
    const store = HistoryStore.open(":memory:");
    const { monitor } = dualStackMonitor(dir, store, new FakeClock(T0 + 10 * MINUTE), {});
    await monitor.runJob("logs");
    expect(store.states.get(ipv6Key)?.value).toBe("rate-limited");
    expect(store.states.get(ipv4Key)?.value).toBe("ok");
    store.close();
  });

  it("follows the log's declared IP over the relay family", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, attempts(T0, MX_IPV4, times(2, rateLimitOf(SERVER_IPV4))));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor } = dualStackMonitor(dir, store, clock, {
      logs: [{ path: "mail.log", ip: SERVER_IPV4 }],
    });
    await monitor.runJob("logs");
    expect(store.states.get(ipv4Key)?.value).toBe("rate-limited");

    // The log is declared as the IPv4 address's, so acceptances lift it whatever the relay.
    appendFileSync(path, attempts(T0 + 10 * MINUTE, MX_IPV6, times(25, SENT), 7 * MINUTE));
    clock.set(T0 + 4 * HOUR);
    await monitor.runJob("logs");
    expect(store.states.get(ipv4Key)?.value).toBe("ok");
    expect(store.states.get(ipv6Key)).toBeNull();
    expect(store.incidents.latest(ipv4Key)?.closeEvidence).not.toHaveProperty("relayFamily");
    store.close();
  });
});

describe("log job with addresses of one family", () => {
  const key = blockKey("gmail", SERVER_IPV4);

  function liftReasons(logs: Array<Record<string, unknown>>) {
    return logs.filter((line) => String(line["msg"]).startsWith("acceptances in this log"));
  }

  /** Appends three windows, a minute apart, of acceptances over more than two hours of log. */
  async function acceptForHours(path: string, clock: FakeClock, run: () => Promise<unknown>) {
    for (let window = 0; window < 3; window++) {
      const start = T0 + (10 + window * 70) * MINUTE;
      appendFileSync(path, attempts(start, MX_IPV4, times(10, SENT), 7 * MINUTE));
      clock.set(T0 + 4 * HOUR + window * MINUTE);
      await run();
    }
  }

  it.each([
    ["two IPv4 and one IPv6", [SERVER_IPV4, "192.0.2.11", SERVER_IPV6]],
    ["no IP", []],
  ])("with %s lifts by the source its replies named", async (_case, ips) => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, attempts(T0, MX_IPV4, times(2, rateLimitOf(SERVER_IPV4))));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor, logs } = dualStackMonitor(dir, store, clock, { ips });
    await monitor.runJob("logs");
    expect(store.states.get(key)?.value).toBe("rate-limited");
    expect(store.liftProgress.listSources()).toEqual([{ key, sources: ["postfix"] }]);

    // The replies to the mail of postfix/smtp named SERVER_IPV4, so its acceptances lift it.
    await acceptForHours(path, clock, () => monitor.runJob("logs"));
    expect(store.states.get(key)?.value).toBe("ok");
    expect(store.incidents.latest(key)?.closeEvidence).toMatchObject({ sources: ["postfix"] });
    expect(liftReasons(logs)).toHaveLength(0);
    store.close();
  });

  it.each([
    ["two IPv4 and one IPv6", [SERVER_IPV4, "192.0.2.11", SERVER_IPV6]],
    ["no IP", []],
  ])("with %s warns on the first run when no source is tied", async (_case, ips) => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    // One source whose replies name two IPv4 addresses shows neither's acceptances.
    const rateLimits = [rateLimitOf(SERVER_IPV4), rateLimitOf("192.0.2.11")];
    writeFileSync(path, attempts(T0, MX_IPV4, [...rateLimits, ...rateLimits]));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor, logs } = dualStackMonitor(dir, store, clock, { ips });
    await monitor.runJob("logs");
    expect(store.states.get(key)?.value).toBe("rate-limited");
    const lines = liftReasons(logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.["msg"]).toContain("cannot lift these blocks");
    expect(lines[0]?.["path"]).toBe(path);
    expect(lines[0]?.["blocks"]).toEqual(["gmail 192.0.2.10", "gmail 192.0.2.11"]);
    expect(lines[0]?.["sources"]).toEqual(["postfix"]);
    expect(lines[0]?.["fix"]).toContain('"sources": {"postfix": "192.0.2.10"}');
    expect(lines[0]?.["fix"]).toContain('"sourceIp": "192.0.2.10"');
    expect(lines[0]?.["level"]).toBe(40);

    // Hours later the warning comes once more, and the runs a minute after that hold it back.
    await acceptForHours(path, clock, () => monitor.runJob("logs"));
    expect(store.states.get(key)?.value).toBe("rate-limited");
    expect(liftReasons(logs)).toHaveLength(2);
    store.close();
  });

  it("lifts by a source mapped in the configuration", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    const rateLimits = [rateLimitOf(SERVER_IPV4), rateLimitOf("192.0.2.11")];
    writeFileSync(path, attempts(T0, MX_IPV4, [...rateLimits, ...rateLimits]));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor, logs } = dualStackMonitor(dir, store, clock, {
      ips: [SERVER_IPV4, "192.0.2.11"],
      logs: [{ path: "mail.log", sources: { postfix: SERVER_IPV4 } }],
    });
    await monitor.runJob("logs");
    await acceptForHours(path, clock, () => monitor.runJob("logs"));
    expect(store.states.get(key)?.value).toBe("ok");
    expect(store.states.get(blockKey("gmail", "192.0.2.11"))?.value).toBe("rate-limited");
    const lines = liftReasons(logs);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.["blocks"]).toEqual(["gmail 192.0.2.11"]);
    expect(lines[1]?.["blocks"]).toEqual(["gmail 192.0.2.11"]);
    store.close();
  });

  it("says nothing when no block is open", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), attempts(T0, MX_IPV4, times(3, SENT)));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = dualStackMonitor(dir, store, new FakeClock(T0 + 10 * MINUTE), {
      ips: [SERVER_IPV4, "192.0.2.11"],
    });
    await monitor.runJob("logs");
    expect(logs.some((line) => line["msg"] === "log checked")).toBe(true);
    expect(liftReasons(logs)).toHaveLength(0);
    store.close();
  });
});
