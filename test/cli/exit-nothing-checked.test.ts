import dns from "node:dns";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import {
  startDnsServer,
  tableHandler,
  type TestDnsServer,
  type TestHandler,
} from "../dns/server.js";
import { runCommand, type CliRun } from "../helpers/cli.js";
import { exampleSenderAnswers, txtAnswer } from "../helpers/sender-dns.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
const systemServers = dns.getServers();
afterEach(async () => {
  dns.setServers(systemServers);
  await server?.close();
  server = null;
});

/**
 * A sender whose SPF, DMARC, MX, PTR and FCrDNS pass. It publishes no DKIM key, which is a
 * warning and leaves the exit status at 0.
 */
const HEALTHY = exampleSenderAnswers("reject");

/** Answers from `table`, but drops (never answers) the questions `silent` returns true for. */
function partlySilent(
  table: Record<string, dnsPacket.Answer[]>,
  silent: (question: dnsPacket.Question) => boolean,
): TestHandler {
  const answer = tableHandler(table);
  return (question, transport) => (silent(question) ? { drop: true } : answer(question, transport));
}

async function check(handler: TestHandler, ...extra: string[]): Promise<CliRun> {
  server = await startDnsServer(handler);
  const args = ["check", "example.com", "--ip", "192.0.2.25", "--helo", "mail.example.com"];
  return runCommand([...args, "--resolver", server.address, "--timeout-ms", "100", ...extra]);
}

async function blocklists(handler: TestHandler, ...lists: string[]): Promise<CliRun> {
  server = await startDnsServer(handler);
  const args = ["blocklists", "192.0.2.26", "--list", ...lists];
  return runCommand([...args, "--resolver", server.address, "--timeout-ms", "100"]);
}

describe("check exit status", () => {
  it("exits 0 without a failed check", async () => {
    const result = await check(tableHandler(HEALTHY));

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("exits 1 when a check fails", async () => {
    const table = { ...HEALTHY, "TXT example.com": [txtAnswer("example.com", "v=spf1 +all")] };
    const result = await check(tableHandler(table));

    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
  });

  it("exits 1 when DMARC is unanswered", async () => {
    const dmarc = (question: dnsPacket.Question) => question.name === "_dmarc.example.com";
    const result = await check(partlySilent(HEALTHY, dmarc), "--format", "json");
    const json = JSON.parse(result.stdout) as { verdict: string; dmarc: { verdict: string } };

    expect(json.dmarc.verdict).toBe("not-checked");
    // The verdict leaves out the DMARC check that was not done, so alone it would exit 0.
    expect(json.verdict).toBe("warn");
    expect(result.stderr).toContain("1 timed out: TXT _dmarc.example.com");
    expect(result.code).toBe(1);
  });

  it("exits 2 when the DNS server is silent", async () => {
    const result = await check(() => ({ drop: true }), "--format", "json");
    const json = JSON.parse(result.stdout) as { verdict: string };

    expect(json.verdict).toBe("not-checked");
    expect(result.stderr).toContain("nothing could be checked");
    expect(result.stderr).toContain(`from the DNS server at ${server?.address ?? ""}`);
    expect(result.stderr).toContain("no answer within");
    expect(result.stderr).toContain("or give another --resolver HOST[:PORT]");
    expect(result.code).toBe(2);
  });

  it("exits 2 when the DNS server refuses every query", async () => {
    const result = await check(() => ({ rcode: "REFUSED" }));

    expect(result.stdout).toContain("not checked");
    expect(result.stderr).toContain("the server refused the query (REFUSED)");
    expect(result.code).toBe(2);
  });

  it("exits 2 when every query gets SERVFAIL", async () => {
    const result = await check(() => ({ rcode: "SERVFAIL" }));

    expect(result.stdout).toContain("not checked");
    expect(result.stderr).toContain("nothing could be checked");
    expect(result.stderr).toContain(
      `from the DNS server at ${server?.address ?? ""}, only SERVFAIL`,
    );
    expect(result.stderr).toContain("the server failed to answer (SERVFAIL)");
    expect(result.stderr).toContain("or give another --resolver HOST[:PORT]");
    expect(result.code).toBe(2);
  });

  it("exits 2 on SERVFAIL and timeouts", async () => {
    const result = await check((question) =>
      question.type === "TXT" ? { drop: true } : { rcode: "SERVFAIL" },
    );

    expect(result.stderr).toContain("nothing could be checked");
    expect(result.stderr).toContain("only SERVFAIL or no answer");
    expect(result.code).toBe(2);
  });

  it("exits 1 when DMARC gets SERVFAIL", async () => {
    const answer = tableHandler(HEALTHY);
    const result = await check((question, transport) =>
      question.name === "_dmarc.example.com" ? { rcode: "SERVFAIL" } : answer(question, transport),
    );

    expect(result.stderr).not.toContain("nothing could be checked");
    expect(result.code).toBe(1);
  });

  it("names the system's silent resolver", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    dns.setServers([server.address]);
    const result = await runCommand(["check", "example.com", "--timeout-ms", "100"]);

    expect(result.stderr).toContain("from the system's resolver");
    expect(result.stderr).toContain(`Check that the DNS server at ${server.address} answers`);
    expect(result.stderr).toContain("or give --resolver HOST[:PORT]");
    expect(result.code).toBe(2);
  });

  it("exits 2 without a configured resolver", async () => {
    dns.setServers([]);
    const result = await runCommand(["check", "example.com"]);

    expect(result.stderr).toContain("this host has no DNS server configured");
    expect(result.code).toBe(2);
  });

  it("exits 2 when a replay lacks every query", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-exit-"));
    const zone = join(dir, "example.zone");
    const recording = join(dir, "dns.json");
    writeFileSync(zone, '$ORIGIN example.com.\n@ TXT "v=spf1 -all"\n');
    await runCommand(["check", "example.com", "--zone", zone, "--dns-record", recording]);
    const result = await runCommand(["check", "example.net", "--dns-replay", recording]);

    expect(result.stderr).toContain(`from the replay file ${recording}`);
    expect(result.stderr).toContain(`is not in ${recording}`);
    expect(result.stderr).toContain("Record the run again with --dns-record FILE");
    expect(result.code).toBe(2);
  });

  it("exits 2 offline without a zone", async () => {
    const result = await runCommand(["check", "example.com", "--offline", "--format", "json"]);
    const json = JSON.parse(result.stdout) as { verdict: string };

    expect(json.verdict).toBe("not-checked");
    expect(result.stderr).toContain("--offline sends no DNS queries and no --zone was given");
    expect(result.stderr).toContain(
      "Give --zone FILE with the records to check, or drop --offline",
    );
    expect(result.code).toBe(2);
  });
});

describe("blocklists exit status", () => {
  const lists = ["spamhaus-zen", "spamcop-scbl"];

  it("exits 0 when every list answers clean", async () => {
    const handler = fakeListsHandler({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "normal" },
    });
    const result = await blocklists(handler, ...lists);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("exits 1 when one list is silent", async () => {
    const handler = fakeListsHandler({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "timeout" },
    });
    const result = await blocklists(handler, ...lists);

    expect(result.stdout).toMatch(/spamcop.*not checked|not checked.*spamcop/is);
    expect(result.stderr).toMatch(/timed out: A [\d.]+\.bl\.spamcop\.net/);
    expect(result.code).toBe(1);
  });

  it("exits 2 when the DNS server is silent", async () => {
    const result = await blocklists(() => ({ drop: true }), ...lists);

    expect(result.stdout).toContain("nothing could be checked");
    expect(result.stderr).toContain(`from the DNS server at ${server?.address ?? ""}`);
    expect(result.stderr).toContain("or give another --resolver HOST[:PORT]");
    expect(result.code).toBe(2);
  });

  it("exits 2 when the DNS server refuses every query", async () => {
    const result = await blocklists(() => ({ rcode: "REFUSED" }), ...lists);

    expect(result.stderr).toContain("the server refused the query (REFUSED)");
    expect(result.code).toBe(2);
  });

  it("exits 2 when every query gets SERVFAIL", async () => {
    const result = await blocklists(() => ({ rcode: "SERVFAIL" }), ...lists);

    expect(result.stderr).toContain("nothing could be checked");
    expect(result.stderr).toContain("only SERVFAIL");
    expect(result.code).toBe(2);
  });

  it("keeps the DQS key out of the message", async () => {
    const key = "abcdefgh12345678";
    server = await startDnsServer(() => ({ drop: true }));
    const result = await runCommand([
      "blocklists",
      "192.0.2.26",
      "--list",
      "spamhaus-zen",
      "--spamhaus-dqs-key",
      key,
      "--resolver",
      server.address,
      "--timeout-ms",
      "100",
    ]);

    expect(result.stderr).toContain("nothing could be checked");
    expect(result.stderr).not.toContain(key);
    expect(result.code).toBe(2);
  });

  it("exits 2 offline without a zone", async () => {
    const result = await runCommand(["blocklists", "192.0.2.26", "--offline", "--format", "json"]);
    const json = JSON.parse(result.stdout) as { verdict: string };

    expect(json.verdict).toBe("not-checked");
    expect(result.stderr).toContain(
      "Give --zone FILE with the records to check, or drop --offline",
    );
    expect(result.code).toBe(2);
  });
});
