import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));

interface SpfJson {
  result: Record<string, string>;
}

async function spfResult(ips: string[]): Promise<SpfJson> {
  const args = ["check", "example.com", "--ip", ...ips, "--zone", zone, "--format", "json"];
  const result = await runCommand(args);
  return (JSON.parse(result.stdout) as { spf: SpfJson }).spf;
}

describe("check --ip spelling", () => {
  it("checks two spellings of one IPv6 address once", async () => {
    const spf = await spfResult(["2001:DB8:0:0:0:0:0:25", "2001:db8:0::25"]);
    expect(Object.keys(spf.result)).toEqual(["2001:db8::25"]);
  });

  it("checks a mapped IPv6 address as IPv4", async () => {
    const spf = await spfResult(["::ffff:192.0.2.21"]);
    expect(Object.keys(spf.result)).toEqual(["192.0.2.21"]);
  });
});
