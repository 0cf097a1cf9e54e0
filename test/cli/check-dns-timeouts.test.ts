import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { runCommand, type CliRun } from "../helpers/cli.js";
import { exampleSenderAnswers } from "../helpers/sender-dns.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** SPF, DMARC, MX, A and PTR of a sender on 192.0.2.25 that publishes no DKIM key. */
const NO_DKIM_KEY = exampleSenderAnswers("none");

/** Runs `check example.com` on a server that drops every query for a name in `silent`. */
async function check(silent: readonly string[], ...extra: string[]): Promise<CliRun> {
  const answer = tableHandler(NO_DKIM_KEY);
  server = await startDnsServer((question, transport) =>
    silent.includes(question.name) ? { drop: true } : answer(question, transport),
  );
  const args = ["check", "example.com", "--ip", "192.0.2.25", "--resolver", server.address];
  return runCommand([...args, "--timeout-ms", "1000", ...extra]);
}

interface ReadinessJson {
  readiness: { id: string; status: string; detail: string }[];
  dkimSummary: { verdict: string };
}

describe("check with DNS time-outs", () => {
  it("names the timed-out queries on stderr", async () => {
    const result = await check(["k1._domainkey.example.com", "zoho._domainkey.example.com"]);
    const lines = result.stderr.split("\n").filter((line) => line !== "");

    expect(result.code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("delist: 2 DNS queries got no answer (2 timed out: ");
    expect(lines[0]).toContain("TXT k1._domainkey.example.com, TXT zoho._domainkey.example.com");
    expect(lines[0]).toContain("raise --timeout-ms (now 1000)");
    expect(lines[0]).toContain(`the DNS server at ${server?.address ?? ""} answers`);
  });

  it("counts only answered DKIM selectors", async () => {
    const result = await check(["k1._domainkey.example.com", "zoho._domainkey.example.com"]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain("under 16 of 18 common selectors");
    expect(text).toContain("2 got no DNS answer (k1, zoho)");
    expect(text).not.toContain("under 18 common selectors");
  });

  it("names the first three and counts the rest", async () => {
    const silent = ["default", "dkim", "mail", "s1", "s2"].map(
      (s) => `${s}._domainkey.example.com`,
    );
    const result = await check(silent);

    expect(result.stderr).toContain("5 DNS queries got no answer (5 timed out: ");
    expect(result.stderr).toContain("TXT mail._domainkey.example.com, and 2 more)");
    expect(result.stderr).not.toContain("TXT s2._domainkey.example.com");
  });

  it("names refused queries without --timeout-ms", async () => {
    const answer = tableHandler(NO_DKIM_KEY);
    server = await startDnsServer((question, transport) =>
      question.name === "_dmarc.example.com" ? { rcode: "REFUSED" } : answer(question, transport),
    );
    const args = ["check", "example.com", "--ip", "192.0.2.25", "--resolver", server.address];
    const result = await runCommand(args);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("1 refused by the DNS server: TXT _dmarc.example.com)");
    expect(result.stderr).toContain("Run the command again, or check that the DNS server at");
    expect(result.stderr).not.toContain("--timeout-ms");
  });

  it("writes nothing to stderr when all answer", async () => {
    const result = await check([]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("leaves readiness unchecked without a key", async () => {
    const result = await check([], "--format", "json");
    const json = JSON.parse(result.stdout) as ReadinessJson;
    const item = json.readiness.find((entry) => entry.id === "spf-dkim-dmarc");

    expect(json.dkimSummary.verdict).toBe("warn");
    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("--selector");
    expect(item?.detail).not.toContain("a DKIM key is published");
  });
});
