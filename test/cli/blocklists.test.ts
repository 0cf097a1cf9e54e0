import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CONCURRENCY } from "../../src/reputation/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { fakeListsHandler, type ZoneBehaviour } from "../reputation/fake-lists.js";

forbidRealNetwork();

const validate = schemaValidator("blocklists.schema.json");
const zone = fileURLToPath(new URL("../reputation/fixtures/lists.zone", import.meta.url));

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface BlocklistsJson {
  verdict: string;
  results: Array<{ target: string; list: string; status: string; meaning: string | null }>;
  lists: Array<{ id: string; health: string }>;
  notices: Array<{ kind: string; message: string }>;
  finding: { id: string; evidence: { source: string } } | null;
  readiness: { status: string };
  dns: { queries: number; unreachable: boolean };
}

const ZONES: Record<string, ZoneBehaviour> = {
  "zen.spamhaus.org": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
  "dbl.spamhaus.org": { kind: "normal" },
  "bl.spamcop.net": { kind: "normal" },
};

async function blocklists(
  args: string[],
  zones: Record<string, ZoneBehaviour> = ZONES,
): Promise<{ code: number; json: BlocklistsJson; stderr: string }> {
  server = await startDnsServer(fakeListsHandler(zones));
  const result = await runCommand([
    "blocklists",
    ...args,
    "--resolver",
    server.address,
    "--timeout-ms",
    "200",
    "--format",
    "json",
  ]);
  return {
    code: result.code,
    json: JSON.parse(result.stdout) as BlocklistsJson,
    stderr: result.stderr,
  };
}

const LISTS = ["--list", "spamhaus-zen", "spamhaus-dbl", "spamcop-scbl"];

describe("delist blocklists", () => {
  it("reports a listing with exit status 1", async () => {
    const { code, json } = await blocklists(["192.0.2.25", "example.com", ...LISTS]);
    expect(validate(json)).toEqual([]);
    expect(json.results.map((r) => [r.target, r.list, r.status])).toEqual([
      ["192.0.2.25", "spamhaus-zen", "listed"],
      ["192.0.2.25", "spamcop-scbl", "not-listed"],
      ["example.com", "spamhaus-dbl", "not-listed"],
    ]);
    expect(json.results[0]?.meaning).toContain("SBL");
    expect(json.verdict).toBe("listed");
    expect(json.finding?.id).toBe("ip-blocklisted");
    expect(json.finding?.evidence.source).toBe("dnsbl");
    expect(json.readiness.status).toBe("fail");
    expect(code).toBe(1);
  });

  it("exits 0 when everything is clean", async () => {
    const { code, json } = await blocklists(["192.0.2.26", ...LISTS]);
    expect(validate(json)).toEqual([]);
    expect(json.verdict).toBe("clean");
    expect(json.finding).toBeNull();
    expect(code).toBe(0);
  });

  it("exits 1 when a list refuses", async () => {
    const { code, json } = await blocklists(["192.0.2.26", "--list", "spamhaus-zen"], {
      "zen.spamhaus.org": { kind: "error-code", code: "127.255.255.254" },
    });
    expect(validate(json)).toEqual([]);
    expect(json.results.map((r) => r.status)).toEqual(["refused"]);
    expect(json.verdict).toBe("not-checked");
    expect(json.notices.map((n) => n.kind)).toEqual(["spamhaus-refused"]);
    expect(code).toBe(1);
  });

  it("writes a table within 80 columns", async () => {
    server = await startDnsServer(fakeListsHandler(ZONES));
    const result = await runCommand([
      "blocklists",
      "192.0.2.25",
      "2001:db8::25",
      "example.com",
      ...LISTS,
      "--resolver",
      server.address,
    ]);
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).toMatch(/spamhaus-zen\s+LISTED/);
    expect(result.stdout).toContain("remove: https://check.spamhaus.org/");
    expect(result.stdout).toContain("2001:db8::25");
    expect(result.code).toBe(1);
  });

  it("looks up a mapped address once", async () => {
    const result = await runCommand([
      "blocklists",
      "::ffff:192.0.2.25",
      "192.0.2.25",
      "--list",
      "spamcop-scbl",
      "--zone",
      zone,
      "--format",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as BlocklistsJson & { input: { targets: string[] } };
    expect(validate(json)).toEqual([]);
    expect(json.input.targets).toEqual(["192.0.2.25"]);
    expect(json.results.map((r) => [r.target, r.list, r.status])).toEqual([
      ["192.0.2.25", "spamcop-scbl", "listed"],
    ]);
    expect(result.code).toBe(1);
  });

  it("answers from a zone file offline", async () => {
    const result = await runCommand([
      "blocklists",
      "192.0.2.25",
      "192.0.2.26",
      "--list",
      "spamcop-scbl",
      "psbl",
      "--zone",
      zone,
      "--format",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as BlocklistsJson;
    expect(validate(json)).toEqual([]);
    expect(json.results.map((r) => [r.target, r.list, r.status])).toEqual([
      ["192.0.2.25", "spamcop-scbl", "listed"],
      ["192.0.2.25", "psbl", "not-listed"],
      ["192.0.2.26", "spamcop-scbl", "not-listed"],
      ["192.0.2.26", "psbl", "not-listed"],
    ]);
    expect(result.code).toBe(1);
  });

  it("calls lists outside the zone files not checked", async () => {
    const text = await runCommand(["blocklists", "192.0.2.25", "--zone", zone]);
    const json = await runCommand(["blocklists", "192.0.2.25", "--zone", zone, "-f", "json"]);
    const report = JSON.parse(json.stdout) as BlocklistsJson;
    const statuses = new Map(report.results.map((r) => [r.list, r.status]));
    const health = new Map(report.lists.map((list) => [list.id, list.health]));

    expect(validate(report)).toEqual([]);
    expect(statuses.get("spamhaus-zen")).toBe("not-checked");
    expect(statuses.get("senderscore-score")).toBe("not-checked");
    expect(statuses.get("spamcop-scbl")).toBe("listed");
    expect(health.get("spamhaus-zen")).toBe("outside-zones");
    expect(text.stdout).not.toContain("ERROR");
    expect(text.stdout).toMatch(/^ {2}spamhaus-zen +not checked +not in the zone files$/m);
    expect(text.stdout).toMatch(/^ {2}senderscore-score +not checked +not in the zone files$/m);
    expect(text.stdout.match(/contain no zone of these lists/g)).toHaveLength(1);
    expect(text.stdout).not.toContain("its test queries got no answer");
    expect(text.stdout).toContain("10 not checked");
    expect(text.code).toBe(1);
  });

  it("keeps a long removal link whole and its label aligned", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-blocklists-")), "barracuda.zone");
    writeFileSync(
      file,
      [
        "$ORIGIN b.barracudacentral.org.",
        "2.0.0.127   IN  A  127.0.0.2",
        "25.2.0.192  IN  A  127.0.0.2",
        "",
      ].join("\n"),
    );
    const result = await runCommand([
      "blocklists",
      "192.0.2.25",
      "--list",
      "barracuda-brbl",
      "--zone",
      file,
    ]);
    const lines = result.stdout.split("\n");
    const row = lines.findIndex((line) => line.startsWith("  barracuda-brbl "));
    const textStart = (lines[row] ?? "").indexOf("listed by");

    expect(row).toBeGreaterThan(0);
    expect(lines[row + 1]).toBe(`${" ".repeat(textStart)}remove:`);
    expect(lines[row + 2]?.trim()).toBe("https://www.barracudacentral.org/rbl/removal-request");
    // The first line names the zone file's path, whose length the test does not control.
    expect(lines.slice(1).every((line) => line.length <= 80)).toBe(true);
  });

  it("sends nothing with --offline and says so once", async () => {
    const result = await runCommand(["blocklists", "192.0.2.25", "example.com", "--offline"]);
    expect(result.stdout.match(/--offline sent no DNS queries/g)).toHaveLength(1);
    expect(result.stdout).not.toContain("answered no query");
    expect(result.stdout).not.toContain("--resolver");
    expect(result.stdout).not.toMatch(/\bclean\b/);
    expect(result.stderr).toContain("Give --zone FILE");
    expect(result.code).toBe(2);
    const json = JSON.parse(
      (await runCommand(["blocklists", "192.0.2.25", "--offline", "--format", "json"])).stdout,
    ) as BlocklistsJson;
    expect(validate(json)).toEqual([]);
    expect(json.dns.unreachable).toBe(true);
    expect(json.notices.map((n) => n.kind)).toEqual(["offline"]);
    expect(json.results.every((r) => r.status === "error")).toBe(true);
  });

  it("names the given resolver when it is silent", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const args = ["blocklists", "192.0.2.25", "--list", "spamcop-scbl"];
    const result = await runCommand([...args, "--resolver", server.address, "--timeout-ms", "100"]);
    expect(result.stdout).toContain(`The DNS resolver (server ${server.address}) answered no`);
    expect(result.stdout).toContain("Check that the DNS server given with --resolver is running");
    expect(result.stdout).not.toContain("--resolver HOST");
    expect(result.stderr).toContain(`Check that the DNS server at ${server.address} answers`);
    expect(result.code).toBe(2);
  });

  it("rejects targets that are neither IP nor domain", async () => {
    const cases = [
      ["192.0.2.1/24", "give single IP addresses, not a CIDR range"],
      ["2001:db8::/32", "give single IP addresses, not a CIDR range"],
      ["exa mple.com", "contains a space"],
      ["mail_01.example.com", "underscore after its first character"],
      ["example..com", "empty label"],
      [`${"a".repeat(64)}.example.com`, "longer than 63 octets"],
      ["mail-.example.com", "hyphen"],
    ];
    for (const [target, reason] of cases as [string, string][]) {
      const result = await runCommand(["blocklists", target, "--list", "surbl-multi", "--offline"]);
      expect(result.code, target).toBe(2);
      expect(result.stderr, target).toContain(`invalid target "${target}"`);
      expect(result.stderr, target).toContain(reason);
    }
  });

  it("accepts service labels and IDN domains", async () => {
    const { json } = await blocklists([
      "_spf.example.com",
      "bücher.example",
      "--list",
      "spamhaus-dbl",
    ]);
    expect(validate(json)).toEqual([]);
    expect(json.results.map((r) => r.target)).toEqual([
      "_spf.example.com",
      "xn--bcher-kva.example",
    ]);
  });

  it("notes private and loopback targets", async () => {
    const targets = ["10.1.2.3", "127.0.0.2", "169.254.1.1", "fd00::1", "fe80::1", "192.0.2.26"];
    const { json } = await blocklists([...targets, "--list", "spamcop-scbl"], {
      "bl.spamcop.net": { kind: "normal" },
    });
    const notes = json.notices.filter((n) => n.kind === "special-address");
    expect(validate(json)).toEqual([]);
    expect(notes.map((n) => n.message.split(" ")[0])).toEqual(targets.slice(0, 5));
    expect(notes[0]?.message).toContain("private address");
    expect(notes[0]?.message).toContain("say nothing about the public IP");
    expect(server?.queries.some((q) => q.name === "3.2.1.10.bl.spamcop.net")).toBe(true);
  });

  it("keeps the DQS key out of traces and output", async () => {
    const key = "abcdefgh12345678";
    server = await startDnsServer(
      fakeListsHandler({ [`${key}.zen.dq.spamhaus.net`]: { kind: "normal" } }),
    );
    const result = await runCommand([
      "blocklists",
      "192.0.2.26",
      "--list",
      "spamhaus-zen",
      "--spamhaus-dqs-key",
      key,
      "--resolver",
      server.address,
      "--verbose",
      "--format",
      "json",
    ]);
    expect(server.queries.map((q) => q.name)).toContain(`26.2.0.192.${key}.zen.dq.spamhaus.net`);
    expect(result.stderr).toContain("<dqs-key>.zen.dq.spamhaus.net");
    expect(result.stderr).not.toContain(key);
    expect(result.stdout).not.toContain(key);
    expect(result.code).toBe(0);
  });

  it("reads a config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-blocklists-"));
    const config = join(dir, "lists.json");
    writeFileSync(
      config,
      JSON.stringify({
        lists: [
          {
            id: "example-bl",
            zone: "bl.example.net",
            targets: ["ipv4"],
            codes: { "127.0.0.2": "a spam source" },
          },
        ],
      }),
    );
    const { json } = await blocklists(["192.0.2.25", "--config", config, "--list", "example-bl"], {
      "bl.example.net": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
    });
    expect(json.results.map((r) => [r.list, r.status, r.meaning])).toEqual([
      ["example-bl", "listed", "a spam source"],
    ]);
    writeFileSync(config, JSON.stringify({ lists: [{ id: "bad", zone: "x" }] }));
    const bad = await runCommand(["blocklists", "192.0.2.25", "--config", config, "--offline"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('lists[0] ("bad").zone');
  });

  it("names a missing config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-blocklists-"));
    const missing = join(dir, "absent", "lists.json");
    const result = await runCommand(["blocklists", "192.0.2.1", "--config", missing, "--offline"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `delist: cannot read the blocklist config "${missing}": file not found; ` +
        "check the path and the working directory\n",
    );
  });

  it("names a config path that is a directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-blocklists-"));
    const result = await runCommand(["blocklists", "192.0.2.1", "--config", dir, "--offline"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`"${dir}": it is a directory; give the path of a file`);
  });

  it("rejects bad input with exit status 2", async () => {
    const cases = [
      ["blocklists"],
      ["blocklists", "not a target"],
      ["blocklists", "192.0.2"],
      ["blocklists", "192.0.2.25", "--list", "no-such-list"],
      ["blocklists", "192.0.2.25", "--concurrency", "0"],
      ["blocklists", "192.0.2.25", "--spamhaus-dqs-key", "x"],
      ["blocklists", "192.0.2.25", "--format", "markdown"],
      ["blocklists", "192.0.2.25", "--config", "/nonexistent/lists.json"],
    ];
    for (const args of cases) {
      const result = await runCommand([...args, "--offline"]);
      expect(result.code, args.join(" ")).toBe(2);
    }
    const unknown = await runCommand(["blocklists", "192.0.2.25", "--list", "nope", "--offline"]);
    expect(unknown.stderr).toContain('unknown blocklist "nope"');
  });

  it("lists the catalogue in its help", async () => {
    const result = await runCommand(["blocklists", "--help"]);
    expect(result.stdout).toContain("spamhaus-zen");
    expect(result.stdout).toMatch(/sorbs\s+ipv4\s+defunct/);
    expect(result.code).toBe(0);
  });

  it("shows the default concurrency in its help", async () => {
    const result = await runCommand(["blocklists", "--help"]);
    expect(result.stdout).toContain(`(default: "${DEFAULT_CONCURRENCY}")`);
    expect(result.code).toBe(0);
  });
});
