import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { HttpsFetcherOptions } from "../../src/auth/https.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer, type TestReply } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

/** The options of every HTTPS fetcher the CLI built in this file. */
const fetcherOptions: HttpsFetcherOptions[] = [];

// A fetcher built without its own `lookup` would resolve the policy host through the system
// resolver. It rejects at once, so such a run fails the test without sending a query.
vi.mock("../../src/auth/https.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/auth/https.js")>();
  return {
    ...actual,
    httpsFetcher: (options: HttpsFetcherOptions = {}) => {
      fetcherOptions.push(options);
      if (options.lookup === undefined) {
        return () => Promise.reject(new Error("the fetcher resolves names through the system"));
      }
      return actual.httpsFetcher(options);
    },
  };
});

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  fetcherOptions.length = 0;
});

const txt = (name: string, data: string): dnsPacket.Answer => ({ type: "TXT", name, data });

/** Starts a DNS server for example.com with an MTA-STS record; `policyHost` answers its host. */
async function mtaStsServer(policyHost: TestReply): Promise<TestDnsServer> {
  return startDnsServer((question) => {
    const name = question.name.toLowerCase();
    if (name === "mta-sts.example.com") return policyHost;
    if (name === "_mta-sts.example.com" && question.type === "TXT")
      return { answers: [txt(name, "v=STSv1; id=20260306")] };
    if (name === "example.com" && question.type === "TXT")
      return { answers: [txt(name, "v=spf1 -all")] };
    return { rcode: "NXDOMAIN" };
  });
}

interface CheckJson {
  domains: { mtaSts: { verdict: string; explanation: string; problems: { code: string }[] } }[];
}

async function checkMtaSts(address: string): Promise<CheckJson["domains"][number] | undefined> {
  const args = ["check", "example.com", "--resolver", address, "--timeout-ms", "300"];
  const result = await runCommand([...args, "--format", "json"]);
  return (JSON.parse(result.stdout) as CheckJson).domains[0];
}

describe("MTA-STS policy host with --resolver", () => {
  test("is resolved by the given server", async () => {
    server = await mtaStsServer({ rcode: "SERVFAIL" });
    const domain = await checkMtaSts(server.address);
    const hostQueries = server.queries.filter((q) => q.name === "mta-sts.example.com");
    expect(fetcherOptions.length).toBe(1);
    expect(fetcherOptions[0]?.lookup).toBeTypeOf("function");
    expect(hostQueries.map((q) => q.type)).toContain("A");
    expect(domain?.mtaSts.verdict).toBe("not-checked");
    expect(domain?.mtaSts.explanation).toContain("mta-sts.example.com did not resolve");
  });

  test("fails when the host does not exist", async () => {
    server = await mtaStsServer({ rcode: "NXDOMAIN" });
    const domain = await checkMtaSts(server.address);
    expect(domain?.mtaSts.verdict).toBe("fail");
    expect(domain?.mtaSts.problems.map((p) => p.code)).toEqual(["mta-sts-fetch"]);
  });
});
