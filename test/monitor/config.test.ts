import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  loadMonitorConfig,
  MONITOR_CONFIG_SCHEMA,
  MonitorConfigError,
  parseMonitorConfig,
  Schedule,
} from "../../src/monitor/index.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

function problems(value: unknown): string {
  try {
    parseMonitorConfig(value, "monitor.json");
  } catch (error) {
    expect(error).toBeInstanceOf(MonitorConfigError);
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("parseMonitorConfig", () => {
  it("fills in the defaults", () => {
    const config = parseMonitorConfig({ ips: ["192.0.2.1"], domains: ["Example.COM."] }, "x");
    expect(config.domains).toEqual(["example.com"]);
    expect(config.schedules).toEqual({
      blocklists: "7 */6 * * *",
      dns: "17 * * * *",
      probes: "37 */2 * * *",
      logs: "* * * * *",
    });
    expect(config.timeZone).toBe("UTC");
    expect(config.alerts).toEqual({ flapWindowMinutes: 30 });
    expect(config.logsFromStart).toBe(false);
  });

  it("fills in probe defaults", () => {
    const config = parseMonitorConfig({ probes: [{ to: "a@gmail.com" }] }, "x");
    expect(config.probes[0]).toEqual({
      to: "a@gmail.com",
      from: "",
      timeoutMs: 30_000,
      minIntervalMinutes: 60,
    });
  });

  it("lists every problem with its path", () => {
    const message = problems({
      ips: ["192.0.2.300"],
      probes: [{ to: "nobody", mx: "h:99999" }],
      schedules: { dns: "every hour" },
      alerts: { webhook: { url: "ftp://example.com/" }, email: { host: "smtp.example.com" } },
      extra: true,
    });
    expect(message).toContain("invalid monitor configuration monitor.json:");
    expect(message).toContain('ips.0 "192.0.2.300": not an IPv4 or IPv6 address');
    expect(message).toContain('probes.0.to "nobody": not an e-mail address');
    expect(message).toContain('probes.0.mx "h:99999": not HOST, HOST:PORT or [IPv6]:PORT');
    expect(message).toContain('schedules.dns "every hour": not a cron pattern');
    expect(message).toContain("alerts.webhook.url: not an http or https URL");
    expect(message).toContain("alerts.email.from: missing (expected string)");
    expect(message).toContain("alerts.email.to: missing (expected array)");
    expect(message).toContain('(top level): unknown key "extra": remove it or check the spelling');
  });

  it("rejects a configuration that watches nothing", () => {
    expect(problems({})).toContain("nothing to watch");
  });

  it("rejects an unknown time zone", () => {
    expect(problems({ ips: ["192.0.2.1"], timeZone: "Mars/Olympus" })).toContain(
      'timeZone "Mars/Olympus": not a time zone name',
    );
  });
});

describe("parseMonitorConfig checks at load time", () => {
  it("rejects a cron pattern that never comes round", () => {
    const message = problems({ ips: ["192.0.2.1"], schedules: { blocklists: "0 0 31 2 *" } });
    expect(message).toContain(
      'schedules.blocklists "0 0 31 2 *": the cron pattern never comes round',
    );
  });

  it("rejects a DNS server that is no IP address", () => {
    const message = problems({ ips: ["192.0.2.1"], dns: { resolver: "dns.example.com:x" } });
    expect(message).toContain(
      'dns.resolver "dns.example.com:x": not an IP address with an optional port',
    );
  });

  it("rejects an unknown blocklist", () => {
    const message = problems({ ips: ["192.0.2.1"], blocklists: { lists: ["no-such-list"] } });
    expect(message).toContain(
      'blocklists.lists.0 "no-such-list": not a blocklist id: use all or one of',
    );
    expect(message).toContain("spamhaus-zen");
  });

  it("rejects an empty blocklist array", () => {
    const message = problems({ ips: ["192.0.2.1"], blocklists: { lists: [] } });
    expect(message).toContain("blocklists.lists: empty: name at least one blocklist id");
    expect(message).toContain("remove lists to ask the default lists");
  });

  it("rejects an EHLO name that would end the command", () => {
    const message = problems({
      helo: "mail.example.com\r\nRSET",
      probes: [{ to: "a@gmail.com", helo: "two words" }],
    });
    expect(message).toContain(
      'helo "mail.example.com\\r\\nRSET": invalid EHLO name: it is neither a host name',
    );
    expect(message).toContain('probes.0.helo "two words": invalid EHLO name');
  });

  it("accepts host names and address literals as EHLO names", () => {
    for (const helo of ["mail.example.com", "mail", "[192.0.2.1]", "[IPv6:2001:db8::1]"]) {
      expect(parseMonitorConfig({ ips: ["192.0.2.1"], helo }, "x").helo).toBe(helo);
    }
  });

  it("rejects a domain with a space", () => {
    const message = problems({ domains: ["exa mple.com", "-bad-.example"] });
    expect(message).toContain('domains.0 "exa mple.com": not a domain name');
    expect(message).toContain('domains.1 "-bad-.example": not a domain name');
  });

  it("rejects header names and values that break HTTP", () => {
    const message = problems({
      ips: ["192.0.2.1"],
      alerts: {
        webhook: {
          url: "http://127.0.0.1:9/hook",
          headers: { "Bad Header": "x", "X-Token": "a\r\nInjected: 1" },
        },
      },
    });
    expect(message).toContain("alerts.webhook.headers.Bad Header: not an HTTP header name");
    expect(message).toContain("alerts.webhook.headers.X-Token: an HTTP header value cannot");
    // Alert settings may hold tokens, so their values are never echoed.
    expect(message).not.toContain("Injected");
  });

  it("names each number problem once", () => {
    const message = problems({ ips: ["192.0.2.1"], dns: { timeoutMs: 1e300 } });
    expect(message).toContain("dns.timeoutMs: Too big: expected number to be <=60000");
    expect(message.match(/dns\.timeoutMs/g)).toHaveLength(1);
  });

  it("reads a log as a path or with its IP", () => {
    const config = parseMonitorConfig(
      { logs: ["mail.log", { path: "out2.log", ip: "2001:DB8::2" }] },
      "x",
    );
    expect(config.logs).toEqual([
      { path: "mail.log", ip: null, sources: {} },
      { path: "out2.log", ip: "2001:DB8::2", sources: {} },
    ]);
  });

  it("reads a log with the IPs of its sources", () => {
    const sources = { "postfix-out1": "203.0.113.5", "192.0.2.10": "2001:db8::10" };
    const config = parseMonitorConfig({ logs: [{ path: "mail.log", sources }] }, "x");
    expect(config.logs).toEqual([{ path: "mail.log", ip: null, sources }]);
  });

  it("names the problem inside the sources of a log", () => {
    const message = problems({
      logs: [
        { path: "a.log", sources: { "postfix-out1": "nope" } },
        { path: "b.log", sources: { "postfix out1": "203.0.113.5" } },
        { path: "c.log", ip: "203.0.113.5", sources: { "postfix-out1": "203.0.113.5" } },
      ],
    });
    expect(message).toContain('logs.0.sources.postfix-out1 "nope": not an IPv4 or IPv6 address');
    expect(message).toContain("logs.1.sources.postfix out1: not an outgoing source");
    expect(message).toContain("logs.2.sources: not allowed with ip");
  });

  it("names the problem inside a log entry", () => {
    const message = problems({
      logs: [
        { path: "a.log" },
        { path: "b.log", ip: "nope" },
        5,
        { path: "c.log", ip: "192.0.2.1", x: 1 },
      ],
    });
    expect(message).toContain("logs.0.ip: missing: give ip");
    expect(message).toContain('logs.1.ip "nope": not an IPv4 or IPv6 address');
    expect(message).toContain("logs.2: invalid: expected string or object");
    expect(message).toContain('logs.3: unknown key "x": remove it or check the spelling');
  });

  it("bounds the e-mail timeout", () => {
    const email = { host: "127.0.0.1", from: "a@example.com", to: ["b@example.com"] };
    const config = parseMonitorConfig({ ips: ["192.0.2.1"], alerts: { email } }, "x");
    expect(config.alerts.email?.timeoutMs).toBe(30_000);
  });
});

describe("docs/monitor-config.schema.json", () => {
  const docs = new URL("../../docs/", import.meta.url);

  // Set DELIST_UPDATE_SCHEMAS=1 to rewrite the file after changing the zod schema, then run
  // Prettier on it.
  it("matches the zod schema", () => {
    const generated = {
      ...z.toJSONSchema(MONITOR_CONFIG_SCHEMA, { io: "input", unrepresentable: "any" }),
      $id: "https://delist.example/schemas/monitor-config.schema.json",
      title: "delist monitor --config",
      description:
        "The JSON configuration file of delist monitor. Cron patterns, time zones and addresses are checked further when the file is read.",
    };
    const path = new URL("monitor-config.schema.json", docs);
    if (process.env["DELIST_UPDATE_SCHEMAS"] === "1") {
      writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`);
    }
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(generated);
  });

  it("accepts the example configuration", async () => {
    const validate = schemaValidator("monitor-config.schema.json");
    const example = JSON.parse(
      readFileSync(new URL("monitor.example.json", docs), "utf8"),
    ) as unknown;
    expect(validate(example)).toEqual([]);
    const config = await loadMonitorConfig(new URL("monitor.example.json", docs).pathname);
    // Gmail addresses hold no hyphens, so the placeholder cannot be someone's real mailbox.
    expect(config.probes[0]?.to).toBe("YOUR-OWN-MAILBOX@gmail.com");
  });
});

describe("loadMonitorConfig", () => {
  it("reads a JSON file", async () => {
    const path = join(tempDir(), "monitor.json");
    writeFileSync(path, JSON.stringify({ domains: ["example.com"] }));
    expect((await loadMonitorConfig(path)).domains).toEqual(["example.com"]);
  });

  it("reports invalid JSON", async () => {
    const path = join(tempDir(), "monitor.json");
    writeFileSync(path, "{ ips: [");
    await expect(loadMonitorConfig(path)).rejects.toThrow(/not valid JSON/);
  });

  it("places a trailing comma", async () => {
    const path = join(tempDir(), "monitor.json");
    writeFileSync(path, '{\n  "ips": ["192.0.2.1"],\n}\n');
    await expect(loadMonitorConfig(path)).rejects.toThrow("not valid JSON at line 3, column 1");
    await expect(loadMonitorConfig(path)).rejects.toThrow("no comma after the last item");
  });

  it("reports a missing file", async () => {
    await expect(loadMonitorConfig(join(tempDir(), "absent.json"))).rejects.toThrow(
      /cannot read the monitor configuration ".*absent\.json": file not found; check the path/,
    );
  });
});

describe("Schedule", () => {
  it("returns the next run strictly after a time", () => {
    const schedule = new Schedule("0 */6 * * *", "UTC");
    const six = Date.parse("2024-03-01T06:00:00Z");
    expect(schedule.nextAfter(Date.parse("2024-03-01T05:59:00Z"))).toBe(six);
    expect(schedule.nextAfter(six)).toBe(Date.parse("2024-03-01T12:00:00Z"));
  });

  it("follows the time zone", () => {
    const schedule = new Schedule("0 9 * * *", "Europe/Berlin");
    expect(schedule.nextAfter(Date.parse("2024-03-01T00:00:00Z"))).toBe(
      Date.parse("2024-03-01T08:00:00Z"),
    );
  });
});
