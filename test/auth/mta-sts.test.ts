import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo, LookupFunction } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpsFetcher } from "../../src/auth/https.js";
import { checkMtaSts, mxMatches, parseMtaStsPolicy } from "../../src/auth/mta-sts.js";
import { createDnsContext } from "../../src/dns/context.js";
import { contextLookup } from "../../src/dns/host-lookup.js";
import { dnsFailure } from "../../src/dns/types.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

/** Serves policy files on 127.0.0.1 with a self-signed certificate for mta-sts.example.com. */
let server: https.Server;
let cert: string;
let port: number;
const bodies: Record<string, { status: number; type: string; body: string }> = {
  "/good": {
    status: 200,
    type: "text/plain",
    body: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.backup.example.com\nmax_age: 604800\n",
  },
  "/other": {
    status: 200,
    type: "text/html",
    body: "version: STSv1\nmode: enforce\nmx: other.example.net\nmax_age: 86400\n",
  },
  "/missing": { status: 404, type: "text/plain", body: "not found" },
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "delist-mta-sts-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=mta-sts.example.com",
      "-addext",
      "subjectAltName=DNS:mta-sts.example.com",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
  server = https.createServer(
    { key: readFileSync(join(dir, "key.pem")), cert },
    (request, response) => {
      const entry = bodies[currentCase] ?? { status: 500, type: "text/plain", body: "" };
      response.writeHead(entry.status, { "content-type": entry.type });
      response.end(entry.body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let currentCase = "/good";

/** Points every host name at the local server, and rewrites the URL to its port. */
function localFetcher(trusted: boolean) {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (typeof options === "object" && options.all === true) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: "127.0.0.1", family: 4 },
      ]);
    } else callback(null, "127.0.0.1", 4);
  };
  const fetcher = httpsFetcher({ lookup, timeoutMs: 2000, ...(trusted ? { ca: cert } : {}) });
  return (url: string) => fetcher(url.replace("example.com/", `example.com:${port}/`));
}

const zone = `$ORIGIN example.com.
_mta-sts TXT "v=STSv1; id=20261204"
`;

describe("MTA-STS", () => {
  it("passes when every MX matches the policy", async () => {
    currentCase = "/good";
    const check = await checkMtaSts(
      "example.com",
      ["mail.example.com", "mx1.backup.example.com"],
      zoneDns(zone),
      localFetcher(true),
    );
    expect(check.evidence.policy).toMatchObject({ mode: "enforce", maxAgeSeconds: 604800 });
    expect(check.problems).toEqual([]);
    expect(check.verdict).toBe("pass");
  });

  it("fails an MX the enforced policy does not list", async () => {
    currentCase = "/other";
    const check = await checkMtaSts(
      "example.com",
      ["mail.example.com"],
      zoneDns(zone),
      localFetcher(true),
    );
    expect(check.problems.map((p) => p.code)).toEqual([
      "mta-sts-content-type",
      "mta-sts-mx-mismatch",
    ]);
    expect(check.evidence.unmatchedMx).toEqual(["mail.example.com"]);
  });

  it("fails on HTTP errors", async () => {
    currentCase = "/missing";
    const check = await checkMtaSts("example.com", [], zoneDns(zone), localFetcher(true));
    expect(check.problems.map((p) => p.code)).toEqual(["mta-sts-fetch"]);
    expect(check.problems[0]?.message).toMatch(/HTTP 404/);
  });

  it("rejects an untrusted certificate", async () => {
    currentCase = "/good";
    const check = await checkMtaSts("example.com", [], zoneDns(zone), localFetcher(false));
    expect(check.problems.map((p) => p.code)).toEqual(["mta-sts-fetch"]);
    expect(check.verdict).toBe("fail");
  });

  it("resolves the host through the DNS context", async () => {
    currentCase = "/good";
    const dns = zoneDns(`${zone}mta-sts A 127.0.0.1\n`);
    const fetcher = httpsFetcher({ lookup: contextLookup(dns), timeoutMs: 2000, ca: cert });
    const local = (url: string) => fetcher(url.replace("example.com/", `example.com:${port}/`));
    const check = await checkMtaSts("example.com", ["mail.example.com"], dns, local);
    expect(check.verdict).toBe("pass");
    expect(check.evidence.policy?.mode).toBe("enforce");
  });

  it("is not checked when the host lookup fails", async () => {
    const records = zoneResolver(parseZoneFile(zone, "test.zone"));
    const failing = createDnsContext({
      resolver: {
        description: "zone with SERVFAIL for mta-sts.example.com",
        resolve: (name, type) =>
          name === "mta-sts.example.com"
            ? Promise.resolve(dnsFailure(name, type, "servfail", "SERVFAIL from the test"))
            : records.resolve(name, type),
      },
    });
    const fetcher = httpsFetcher({ lookup: contextLookup(failing), timeoutMs: 2000 });
    const check = await checkMtaSts("example.com", [], failing, fetcher);
    expect(check.verdict).toBe("not-checked");
    expect(check.problems).toEqual([]);
    expect(check.explanation).toBe(
      "not checked: the policy host mta-sts.example.com did not resolve (SERVFAIL from the test)",
    );
  });

  it("skips the fetch offline", async () => {
    const check = await checkMtaSts("example.com", [], zoneDns(zone), null);
    expect(check.explanation).toMatch(/not fetched/);
    expect(check.verdict).toBe("pass");
  });

  it("matches wildcard patterns by one label", () => {
    expect(mxMatches("*.example.com", "mx.example.com")).toBe(true);
    expect(mxMatches("*.example.com", "a.mx.example.com")).toBe(false);
    expect(mxMatches("mail.example.com", "MAIL.example.com.")).toBe(true);
  });

  it("parses a policy with CRLF lines", () => {
    expect(
      parseMtaStsPolicy(
        "version: STSv1\r\nmode: testing\r\nmx: a.example.com\r\nmax_age: 86400\r\n",
      ),
    ).toEqual({
      version: "STSv1",
      mode: "testing",
      mx: ["a.example.com"],
      maxAgeSeconds: 86400,
    });
  });
});
