import { afterEach, describe, expect, it } from "vitest";
import { checkDkim } from "../../src/auth/dkim/check.js";
import { createDnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Checks example.com's common selectors on a server that drops the selectors in `silent`. */
async function commonSelectors(silent: readonly string[]): Promise<string[]> {
  server = await startDnsServer((question) =>
    silent.some((selector) => question.name === `${selector}._domainkey.example.com`)
      ? { drop: true }
      : { rcode: "NXDOMAIN" },
  );
  const dns = createDnsContext({
    resolver: serverResolver(server.address, { timeoutMs: 1000, retries: 0 }),
    timeoutMs: 3000,
  });
  const result = await checkDkim("example.com", [], dns);
  await dns.close();
  return result.problems.map((p) => `${p.code}: ${p.message} Fix: ${p.fix ?? ""}`);
}

describe("DKIM key not found", () => {
  it("counts every common selector", async () => {
    const [message, ...rest] = await commonSelectors([]);

    expect(rest).toEqual([]);
    expect(message).toContain("No DKIM key found for example.com under 18 common selectors;");
  });

  it("counts only answered selectors", async () => {
    const [message, ...rest] = await commonSelectors(["k1", "zoho"]);

    expect(rest).toEqual([]);
    expect(message).toContain("under 16 of 18 common selectors");
    expect(message).toContain("2 got no DNS answer (k1, zoho)");
    expect(message).toContain("Fix: Run the check again. Check the selector");
  });
});
