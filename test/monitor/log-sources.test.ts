import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);

const OUT1_IP = "203.0.113.5";
const OUT2_IP = "203.0.113.6";
const KEY1 = blockKey("gmail", OUT1_IP);
const KEY2 = blockKey("gmail", OUT2_IP);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";
const OUTLOOK_MX = "outlook-com.olc.protection.outlook.com[192.0.2.41]";

type Result = "sent" | "gmail-block" | "outlook-block";

/** Returns one Postfix delivery line of `instance` (postfix-out1) at `time` with `result`. */
function postfixLine(time: number, instance: string, result: Result, judgedIp: string): string {
  const stamp = new Date(time).toISOString().replace(".000Z", "+00:00");
  const id = (0x100000 + Math.floor(time / 1000)).toString(16).toUpperCase();
  const outlook = result === "outlook-block";
  const relay = outlook ? OUTLOOK_MX : GMAIL_MX;
  const to = outlook ? "user@outlook.com" : "user@gmail.com";
  const tail =
    result === "sent"
      ? "dsn=2.0.0, status=sent (250 2.0.0 OK 1709 - gsmtp)"
      : outlook
        ? `dsn=5.7.1, status=bounced (host ${relay} said: 550 5.7.1 Unfortunately, messages from [${judgedIp}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))`
        : `dsn=5.7.1, status=bounced (host ${relay} said: 550-5.7.1 [${judgedIp}      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550 5.7.1 has been blocked. d1si1 - gsmtp (in reply to end of DATA command))`;
  return `${stamp} mx1 ${instance}/smtp[200]: ${id}: to=<${to}>, relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, ${tail}\n`;
}

/** Returns lines of `instance` every `stepMinutes` from `fromMinute` to `toMinute` after T0. */
function postfixLines(
  instance: string,
  result: Result,
  judgedIp: string,
  fromMinute: number,
  toMinute: number,
  stepMinutes: number,
): string[] {
  const lines: string[] = [];
  for (let minute = fromMinute; minute < toMinute; minute += stepMinutes) {
    lines.push(postfixLine(T0 + minute * MINUTE, instance, result, judgedIp));
  }
  return lines;
}

/** Returns `lines` in time order as one text; each line starts with its RFC 3339 stamp. */
function inTimeOrder(lines: readonly string[]): string {
  return [...lines].sort().join("");
}

/**
 * Two Postfix instances in one log. Gmail rejects both from 03:00 to 05:00, each reply naming
 * its instance's IP. From 05:05 out2 delivers for over two hours while out1 is still rejected.
 */
function bothBlockedThenOut2Delivers(): string {
  return inTimeOrder([
    ...postfixLines("postfix-out1", "gmail-block", OUT1_IP, 0, 120, 4),
    ...postfixLines("postfix-out2", "gmail-block", OUT2_IP, 1, 120, 4),
    ...postfixLines("postfix-out2", "sent", OUT2_IP, 125, 260, 5),
    ...postfixLines("postfix-out1", "gmail-block", OUT1_IP, 127, 260, 15),
  ]);
}

/** Both instances deliver from 04:30 to 07:00 after the end of the first part. */
function bothDeliver(): string {
  return inTimeOrder([
    ...postfixLines("postfix-out1", "sent", OUT1_IP, 265, 415, 5),
    ...postfixLines("postfix-out2", "sent", OUT2_IP, 266, 415, 5),
  ]);
}

function monitorFor(dir: string, store: HistoryStore, clock: FakeClock, config: object = {}) {
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [OUT1_IP, OUT2_IP],
      logs: ["mail.log"],
      logsFromStart: true,
      alerts: { webhook: { url: "http://127.0.0.1:9/alerts" } },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      ...config,
    },
  });
}

function liftWarnings(logs: Array<Record<string, unknown>>) {
  return logs.filter((line) => String(line["msg"]).startsWith("acceptances in this log"));
}

/** Records Gmail's block of out1's IP as a probe found it, so no log reply ties the IP. */
function observeProbeBlock(store: HistoryStore): void {
  store.states.observe(
    {
      key: KEY1,
      kind: "block",
      subject: `gmail ${OUT1_IP}`,
      value: "blocked",
      at: T0,
      runId: null,
      evidence: { source: "probe" },
    },
    [],
  );
}

describe("log with two Postfix instances", () => {
  it("keeps the block of the rejected instance only", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), bothBlockedThenOut2Delivers());
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = monitorFor(dir, store, new FakeClock(T0 + 5 * HOUR));
    await monitor.runJob("logs");

    expect(store.states.get(KEY1)?.value).toBe("blocked");
    expect(store.incidents.latest(KEY1)?.closedAt).toBeNull();
    expect(store.states.get(KEY2)?.value).toBe("ok");
    expect(store.incidents.latest(KEY2)?.closedAt).not.toBeNull();
    const summaries = store.alerts.all().map((alert) => alert.payload.summary);
    expect(summaries).toContain(`Block seen: gmail ${OUT1_IP} is blocked.`);
    expect(summaries).toContainEqual(
      expect.stringMatching(new RegExp(`^Block already over: gmail ${OUT2_IP} was blocked from`)),
    );
    expect(store.liftProgress.listSources()).toEqual([{ key: KEY1, sources: ["postfix-out1"] }]);
    expect(liftWarnings(logs)).toEqual([]);
    store.close();
  });

  it("lifts the other block in a later window", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, bothBlockedThenOut2Delivers());
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 5 * HOUR);
    const { monitor, logs } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");

    // The second window has no block reply, so out1's tie comes from the stored lift progress.
    appendFileSync(path, bothDeliver());
    clock.set(T0 + 7 * HOUR);
    await monitor.runJob("logs");

    expect(store.states.get(KEY1)?.value).toBe("ok");
    expect(store.incidents.latest(KEY1)?.closedAt).not.toBeNull();
    expect(store.incidents.latest(KEY1)?.closeEvidence).toMatchObject({
      sources: ["postfix-out1"],
      lift: { deliveriesAfterAtLeast: 20 },
    });
    expect(store.liftProgress.get(KEY1)).toBeNull();
    expect(store.incidents.incidents().filter((i) => i.closedAt === null)).toEqual([]);
    expect(liftWarnings(logs)).toEqual([]);
    store.close();
  });

  it("does not lift by the other instance's deliveries", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(
      path,
      inTimeOrder(postfixLines("postfix-out1", "gmail-block", OUT1_IP, 0, 30, 3)),
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + HOUR);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, inTimeOrder(postfixLines("postfix-out2", "sent", OUT2_IP, 60, 300, 5)));
    clock.set(T0 + 6 * HOUR);
    await monitor.runJob("logs");

    expect(store.states.get(KEY1)?.value).toBe("blocked");
    expect(store.liftProgress.get(KEY1)?.deliveries).toBe(0);
    // No reply or setting ties out2 to an IP, so its deliveries record no state.
    expect(store.states.get(KEY2)).toBeNull();
    store.close();
  });

  it("ties an instance by Outlook's reply", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(
      path,
      inTimeOrder(postfixLines("postfix-out1", "outlook-block", OUT1_IP, 0, 30, 3)),
    );
    const store = HistoryStore.open(":memory:");
    const { monitor } = monitorFor(dir, store, new FakeClock(T0 + HOUR));
    await monitor.runJob("logs");

    const key = blockKey("outlook", OUT1_IP);
    expect(store.states.get(key)?.value).toBe("blocked");
    expect(store.liftProgress.listSources()).toEqual([{ key, sources: ["postfix-out1"] }]);
    store.close();
  });

  it("lifts by a configured source without a naming reply", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0);
    // The block comes from a probe, so no reply in the log ties out1 to its IP.
    observeProbeBlock(store);
    const { monitor, logs } = monitorFor(dir, store, clock, {
      logs: [{ path: "mail.log", sources: { "postfix-out1": OUT1_IP } }],
    });
    appendFileSync(path, inTimeOrder(postfixLines("postfix-out1", "sent", OUT1_IP, 5, 200, 5)));
    clock.set(T0 + 4 * HOUR);
    await monitor.runJob("logs");

    expect(store.states.get(KEY1)?.value).toBe("ok");
    expect(liftWarnings(logs)).toEqual([]);
    store.close();
  });

  it("warns on the first run when nothing ties a blocked IP", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0);
    observeProbeBlock(store);
    const { monitor, logs } = monitorFor(dir, store, clock);
    appendFileSync(path, inTimeOrder(postfixLines("postfix-out1", "sent", OUT1_IP, 5, 200, 5)));
    clock.set(T0 + 4 * HOUR);
    await monitor.runJob("logs");

    expect(store.states.get(KEY1)?.value).toBe("blocked");
    const warnings = liftWarnings(logs);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.["blocks"]).toEqual([`gmail ${OUT1_IP}`]);
    expect(warnings[0]?.["sources"]).toEqual(["postfix-out1"]);
    expect(warnings[0]?.["fix"]).toContain(`"sources": {"postfix-out1": "${OUT1_IP}"}`);
    expect(warnings[0]?.["fix"]).toContain(`delist probe --source-ip ${OUT1_IP}`);
    store.close();
  });
});

describe("block replies of an unmapped instance", () => {
  it("warn that they open no incident", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0);
    const { monitor, logs } = monitorFor(dir, store, clock, {
      logs: [{ path: "mail.log", sources: { "postfix-out1": OUT1_IP } }],
    });
    const lines: string[] = [];
    for (let minute = 0; minute < 100; minute += 5) {
      const stamp = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
      const id = (0x200000 + minute).toString(16).toUpperCase();
      lines.push(
        `${stamp} mx1 postfix-out3/smtp[300]: ${id}: to=<user${minute}@yahoo.com>, relay=mta5.am0.yahoodns.net[192.0.2.61]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=4.7.0, status=deferred (host mta5.am0.yahoodns.net[192.0.2.61] said: 421 4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command))\n`,
      );
    }
    appendFileSync(path, lines.join(""));
    clock.set(T0 + 2 * HOUR);
    await monitor.runJob("logs");

    const warnings = logs.filter((line) =>
      String(line["msg"]).startsWith("block replies in this log"),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.["blocks"]).toEqual(["yahoo from postfix-out3"]);
    expect(warnings[0]?.["fix"]).toContain('"sources": {"postfix-out3": "IP"}');
    store.close();
  });
});

describe("log with two Exim interfaces", () => {
  const GMAIL = "H=gmail-smtp-in.l.google.com [192.0.2.27]";
  // A rejection that names no IP, so only the interface address ties it to one.
  const REJECTION =
    "SMTP error from remote mail server after end of data: 550-5.7.1 Our system has detected that this message is\\n550 5.7.1 likely unsolicited mail. d1si1 - gsmtp";

  function eximLine(time: number, index: number, interfaceIp: string, sent: boolean): string {
    const stamp = new Date(time).toISOString().slice(0, 19).replace("T", " ");
    const id = `1rhA2b-${String(index).padStart(6, "0")}-1x`;
    const fields = `user${index}@gmail.com R=dnslookup T=remote_smtp ${GMAIL} I=[${interfaceIp}]:45001`;
    return sent
      ? `${stamp} ${id} => ${fields} C="250 2.0.0 OK 1709 - gsmtp"\n`
      : `${stamp} ${id} ** ${fields}: ${REJECTION}\n`;
  }

  it("lifts an interface's block by its own deliveries only", async () => {
    const dir = tempDir();
    const path = join(dir, "mainlog");
    const rejections = Array.from({ length: 10 }, (_, index) =>
      eximLine(T0 + index * 3 * MINUTE, index, OUT1_IP, false),
    );
    writeFileSync(path, rejections.join(""));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + HOUR);
    const { monitor } = monitorFor(dir, store, clock, { logs: ["mainlog"] });
    await monitor.runJob("logs");
    expect(store.states.get(KEY1)?.value).toBe("blocked");
    expect(store.states.get(KEY2)).toBeNull();

    // Deliveries from the other interface lift nothing.
    const out2 = Array.from({ length: 30 }, (_, index) =>
      eximLine(T0 + HOUR + index * 5 * MINUTE, 100 + index, OUT2_IP, true),
    );
    appendFileSync(path, out2.join(""));
    clock.set(T0 + 5 * HOUR);
    await monitor.runJob("logs");
    expect(store.states.get(KEY1)?.value).toBe("blocked");

    const out1 = Array.from({ length: 30 }, (_, index) =>
      eximLine(T0 + 5 * HOUR + index * 5 * MINUTE, 200 + index, OUT1_IP, true),
    );
    appendFileSync(path, out1.join(""));
    clock.set(T0 + 9 * HOUR);
    await monitor.runJob("logs");
    expect(store.states.get(KEY1)?.value).toBe("ok");
    store.close();
  });
});
