import { describe, expect, test } from "vitest";
import { evidenceLines } from "../../src/report/evidence.js";

describe("evidence IP lines", () => {
  test("one IP prints once", () => {
    const labels = evidenceLines({ ip: "203.0.113.8", ips: ["203.0.113.8"] }).map(([l]) => l);

    expect(labels).toEqual(["IPs"]);
  });

  test("several IPs keep the main one", () => {
    const lines = evidenceLines({ ip: "203.0.113.8", ips: ["203.0.113.8", "203.0.113.9"] });

    expect(lines.map(([label]) => label)).toEqual(["IPs", "IP"]);
    expect(lines).toContainEqual(["IP", "203.0.113.8"]);
  });
});
