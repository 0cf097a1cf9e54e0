import { describe, expect, it } from "vitest";
import { MonitorConfigError, parseMonitorConfig } from "../../src/monitor/index.js";
import { probeHelo, probeHeloProblem } from "../../src/monitor/probe-helo.js";
import { HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { T0 } from "../helpers/postfix-fixture.js";
import { testMonitor } from "./harness.js";

const PROBE = { to: "postmaster-check@gmail.com" };

function config(value: object) {
  return parseMonitorConfig(value, "test config");
}

/** Returns the EHLO name of the first probe of `value` on a host named `hostName`. */
function firstProbeHelo(value: object, hostName: string): string {
  const parsed = config(value);
  const [probe] = parsed.probes;
  if (probe === undefined) throw new Error("the test config has no probe");
  return probeHelo(probe, parsed, hostName);
}

describe("probe EHLO name", () => {
  it("probe helo before top-level helo", () => {
    const both = { helo: "mail.example.com", probes: [{ ...PROBE, helo: "out.example.com" }] };
    expect(firstProbeHelo(both, "mailhost")).toBe("out.example.com");
    const top = { helo: "mail.example.com", probes: [PROBE] };
    expect(firstProbeHelo(top, "mailhost")).toBe("mail.example.com");
    expect(firstProbeHelo({ probes: [PROBE] }, "host.example.com")).toBe("host.example.com");
  });

  it("bare host name is a problem", () => {
    const problem = probeHeloProblem(
      config({ probes: [PROBE, { ...PROBE, helo: "a.example.com" }, PROBE] }),
      "mailhost",
    );
    expect(problem).toContain("helo: missing, so probes.0.helo, probes.2.helo would default to");
    expect(problem).toContain('host name "mailhost"');
  });

  it("no problem when the name is not used", () => {
    expect(probeHeloProblem(config({ probes: [PROBE] }), "host.example.com")).toBeNull();
    expect(
      probeHeloProblem(config({ helo: "mail.example.com", probes: [PROBE] }), "mailhost"),
    ).toBeNull();
    expect(
      probeHeloProblem(config({ probes: [{ ...PROBE, helo: "a.example.com" }] }), "mailhost"),
    ).toBeNull();
    expect(probeHeloProblem(config({ ips: ["192.0.2.1"] }), "mailhost")).toBeNull();
  });

  it("monitor rejects a bare host name", () => {
    const store = HistoryStore.open(":memory:");
    const build = () =>
      testMonitor({
        config: { probes: [PROBE] },
        store,
        clock: new FakeClock(T0),
        hostName: "mailhost",
      });
    expect(build).toThrow(MonitorConfigError);
    expect(build).toThrow(/probes\.0\.helo would default to this machine's host name "mailhost"/);
  });
});
