import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";

// Every run answers DNS from a zone file or sends nothing, and the guard fails any test that
// sends a query all the same.
forbidRealNetwork();

/** SpamCop and PSBL test entries, and a SpamCop listing of 192.0.2.25. */
const LISTS_ZONE = fileURLToPath(new URL("../reputation/fixtures/lists.zone", import.meta.url));

const HELP_ADVICE = "or run delist blocklists --help to see the targets of each list.";

describe("blocklists with no list for the targets", () => {
  test("domain with an IPv4-only list", async () => {
    const result = await runCommand([
      "blocklists",
      "EXAMPLE.COM.",
      "--list",
      "spamcop-scbl",
      "--zone",
      LISTS_ZONE,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "delist: no list given with --list applies to example.com (a domain): spamcop-scbl " +
        "takes IPv4 addresses only. Give --list one or more lists that take domains, such as " +
        `spamhaus-dbl, surbl-multi or uribl-multi, ${HELP_ADVICE}\n`,
    );
  });

  test("IPv6 address with IPv4-only lists", async () => {
    const result = await runCommand([
      "blocklists",
      "2001:db8::1",
      "--list",
      "spamcop-scbl",
      "psbl",
      "--zone",
      LISTS_ZONE,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "no list given with --list applies to 2001:db8::1 (an IPv6 address): spamcop-scbl and " +
        "psbl take IPv4 addresses only.",
    );
    expect(result.stderr).toContain("Give --list one or more lists that take IPv6 addresses");
    expect(result.stderr).toContain(HELP_ADVICE);
  });

  test("one address in two spellings", async () => {
    const result = await runCommand([
      "blocklists",
      "2001:DB8:0::25",
      "2001:db8::25",
      "--list",
      "spamcop-scbl",
      "--zone",
      LISTS_ZONE,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "no list given with --list applies to 2001:db8::25 (an IPv6 address): spamcop-scbl " +
        "takes IPv4 addresses only.",
    );
  });

  test("several targets and kinds", async () => {
    const result = await runCommand([
      "blocklists",
      "192.0.2.1",
      "192.0.2.2",
      "2001:db8::1",
      "--list",
      "spamhaus-dbl",
      "njabl",
      "--offline",
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "applies to 192.0.2.1 and 192.0.2.2 (IPv4 addresses) or 2001:db8::1 (an IPv6 address): " +
        "spamhaus-dbl takes domains only, and njabl is defunct and never queried.",
    );
    expect(result.stderr).toContain("lists that take IPv4 addresses or IPv6 addresses");
  });

  test("one target with a list still runs", async () => {
    const result = await runCommand([
      "blocklists",
      "192.0.2.25",
      "example.com",
      "--list",
      "spamcop-scbl",
      "--zone",
      LISTS_ZONE,
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("192.0.2.25");
    expect(result.stdout).toContain("no chosen list applies to this target");
  });

  test("only a defunct list exits 2", async () => {
    const result = await runCommand([
      "blocklists",
      "192.0.2.1",
      "--list",
      "njabl",
      "--zone",
      LISTS_ZONE,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("njabl (defunct)");
    expect(result.stdout).toContain("Result: nothing could be checked (0 checks).");
    expect(result.stderr).toBe(
      "delist: nothing could be checked, because none of the chosen lists can be queried for " +
        "these targets (the report gives the reason for each list). Choose lists with --list, " +
        "or run delist blocklists --help to see them.\n",
    );
  });
});
