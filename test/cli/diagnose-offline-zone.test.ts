import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

// example.com is set up well in this zone.
const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const temporary = temporaryFiles();

function deliveredLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 6; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${hour}@gmail.com` }],
    });
  }
  return temporary.file(log.text());
}

interface ChecksJson {
  checks: { resolver: string; domains: Array<{ domain: string }> } | null;
  readiness: { items: Array<{ id: string; status: string; detail: string }> };
}

async function diagnoseJson(args: string[]): Promise<ChecksJson> {
  const result = await runCommand(["diagnose", "--format", "json", "--timezone", "UTC", ...args]);
  return JSON.parse(result.stdout) as ChecksJson;
}

describe("diagnose --offline with --zone", () => {
  test("zone answers the DNS checks", async () => {
    const json = await diagnoseJson([
      deliveredLog(),
      "--offline",
      "--domain",
      "example.com",
      "--ip",
      "192.0.2.25",
      "--zone",
      zone,
    ]);
    expect(json.checks?.resolver).toContain("zone");
    expect(json.checks?.domains.map((domain) => domain.domain)).toEqual(["example.com"]);
    const ptr = json.readiness.items.find((item) => item.id === "ptr");
    expect(ptr?.status).toBe("pass");
    const auth = json.readiness.items.find((item) => item.id === "spf-dkim-dmarc");
    expect(auth?.detail).not.toContain("Logs cannot show this");
  });

  test("text report shows the DNS section", async () => {
    const result = await runCommand([
      "diagnose",
      "--timezone",
      "UTC",
      deliveredLog(),
      "--offline",
      "--zone",
      zone,
    ]);
    expect(result.stdout).toContain("DNS checks (zone ");
    expect(result.stdout).toContain("example.com             SPF pass");
    expect(result.stdout).not.toContain("Logs cannot show this; run `delist check");
  });

  test("offline without zone checks nothing", async () => {
    const json = await diagnoseJson([deliveredLog(), "--offline", "--domain", "example.com"]);
    expect(json.checks).toBeNull();
  });
});
