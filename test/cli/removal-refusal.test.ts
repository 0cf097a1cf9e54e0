import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nonGlobalRange } from "../../src/monitor/removal-ip.js";
import { HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const validate = schemaValidator("removal.schema.json");
const tempDir = useTempDirs();

interface RejectionJson {
  rejection: {
    reason: string;
    message: string;
    provider: string;
    ip: string;
    lastRequest: { id: number; provider: string } | null;
    nextRequestAllowedAt: string | null;
  };
}

function requestArgs(ip: string, db: string): string[] {
  return ["removal", "request", "--provider", "gmail", "--ip", ip, "--db", db];
}

function recordedRequests(db: string): number {
  const store = HistoryStore.open(db);
  try {
    return store.incidents.removals(null, null).length;
  } finally {
    store.close();
  }
}

describe("nonGlobalRange", () => {
  it("names ranges that receivers never see", () => {
    const cases: Array<[string, string]> = [
      ["10.0.0.1", "a private address (RFC 1918)"],
      ["172.16.5.4", "a private address (RFC 1918)"],
      ["192.168.1.1", "a private address (RFC 1918)"],
      ["127.0.0.1", "a loopback address"],
      ["169.254.10.20", "a link-local address"],
      ["100.64.0.1", "a carrier-grade NAT address (100.64.0.0/10, RFC 6598)"],
      ["0.0.0.0", "an unspecified address"],
      ["255.255.255.255", "the broadcast address"],
      ["224.0.0.5", "a multicast address"],
      ["198.18.0.1", "an address reserved for special use"],
      ["240.0.0.1", "an address reserved for special use"],
      ["::1", "a loopback address"],
      ["::", "an unspecified address"],
      ["fe80::1", "a link-local address"],
      ["fd00::1", "a unique local address (fc00::/7, RFC 4193)"],
      ["ff02::1", "a multicast address"],
      ["64:ff9b::a00:1", "a NAT64 translation address (64:ff9b::/96, RFC 6052)"],
      ["::ffff:10.0.0.1", "a private address (RFC 1918)"],
    ];
    for (const [ip, range] of cases) expect(nonGlobalRange(ip), ip).toBe(range);
  });

  it("accepts documentation and global ranges", () => {
    for (const ip of ["192.0.2.1", "198.51.100.7", "203.0.113.5", "2001:db8::5", "3fff::1"]) {
      expect(nonGlobalRange(ip), ip).toBeNull();
    }
    // 6to4 and Teredo addresses are globally reachable, so a receiver can see them.
    expect(nonGlobalRange("2002:c000:201::1")).toBeNull();
    expect(nonGlobalRange("2001:0:c000:201::1")).toBeNull();
  });
});

describe("removal request for a non-global IP", () => {
  it("rejects a private IP without recording it", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand(requestArgs("10.0.0.1", db));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("10.0.0.1 is a private address (RFC 1918)");
    expect(result.stderr).toContain("--force");
    expect(existsSync(db)).toBe(false);
  });

  it("rejects loopback and link-local IPs", async () => {
    const db = join(tempDir(), "h.sqlite");
    for (const ip of ["127.0.0.1", "::1", "fe80::1", "169.254.1.1"]) {
      const result = await runCommand(requestArgs(ip, db));
      expect(result.code, ip).toBe(2);
      expect(result.stderr, ip).toContain("Receivers never see mail from such an address");
    }
    expect(existsSync(db)).toBe(false);
  });

  it("records a non-global IP with --force", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand([...requestArgs("10.0.0.1", db), "--force"]);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: 10.0.0.1 is a private address");
    expect(result.stdout).toContain("Recorded removal request #1 for gmail 10.0.0.1");
    expect(recordedRequests(db)).toBe(1);
  });

  it("records a documentation IP", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand(requestArgs("192.0.2.1", db));

    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("warning");
    expect(recordedRequests(db)).toBe(1);
  });
});

describe("removal request rejection as JSON", () => {
  it("prints a non-global rejection", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand([...requestArgs("fd00::1", db), "--format", "json"]);

    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("non-global-ip");
    expect(json.rejection.ip).toBe("fd00::1");
    expect(json.rejection.provider).toBe("gmail");
    expect(json.rejection.lastRequest).toBeNull();
    expect(json.rejection.nextRequestAllowedAt).toBeNull();
    expect(result.stderr).toBe(`delist: ${json.rejection.message}\n`);
  });

  it("prints a rejection within 14 days", async () => {
    const db = join(tempDir(), "h.sqlite");
    const args = [...requestArgs("2001:db8::5", db), "--format", "json"];
    expect((await runCommand(args)).code).toBe(0);

    const second = await runCommand(
      ["removal", "request", "--provider", "google-workspace"].concat([
        "--ip",
        "2001:DB8:0::5",
        "--db",
        db,
        "-f",
        "json",
      ]),
    );
    expect(second.code).toBe(2);
    const json = JSON.parse(second.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("too-soon");
    expect(json.rejection.provider).toBe("google-workspace");
    expect(json.rejection.ip).toBe("2001:db8::5");
    expect(json.rejection.lastRequest?.id).toBe(1);
    expect(json.rejection.lastRequest?.provider).toBe("gmail");
    expect(json.rejection.nextRequestAllowedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(json.rejection.message).toContain("at most once every 14 days");
    expect(second.stderr).toBe(`delist: ${json.rejection.message}\n`);
    expect(recordedRequests(db)).toBe(1);
  });
});

describe("removal request usage error as JSON", () => {
  it("prints an invalid IP", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand([...requestArgs("192.0.2.300", db), "--format", "json"]);

    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("usage-error");
    expect(json.rejection.ip).toBe("192.0.2.300");
    expect(json.rejection.provider).toBe("gmail");
    expect(json.rejection.message).toBe('invalid --ip "192.0.2.300": give an IPv4 or IPv6 address');
    expect(json.rejection.lastRequest).toBeNull();
    expect(json.rejection.nextRequestAllowedAt).toBeNull();
    expect(result.stderr).toBe(`delist: ${json.rejection.message}\n`);
    expect(existsSync(db)).toBe(false);
  });

  it("prints a damaged database", async () => {
    const db = join(tempDir(), "h.sqlite");
    writeFileSync(db, "not a database\n".repeat(500));
    const result = await runCommand([...requestArgs("192.0.2.1", db), "-f", "json"]);

    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as RejectionJson;
    expect(validate(json)).toEqual([]);
    expect(json.rejection.reason).toBe("usage-error");
    expect(json.rejection.message).toContain(`cannot open the history database ${db}`);
  });

  it("prints nothing on stdout for text", async () => {
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand(requestArgs("192.0.2.300", db));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });
});
