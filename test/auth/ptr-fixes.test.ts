import { describe, expect, it } from "vitest";
import { checkPtr } from "../../src/auth/ptr.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const zone = `$ORIGIN example.net.
22.2.0.192.dynamic A 192.0.2.22
nomatch A 192.0.2.99
one A 192.0.2.98
$ORIGIN 2.0.192.in-addr.arpa.
21 PTR nomatch.example.net.
22 PTR 22.2.0.192.dynamic.example.net.
23 PTR one.example.net.
23 PTR two.example.net.
24 PTR bare.example.net.
25 PTR static-25.isp.example.org.
`;

/** Returns the fix of the problem with `code` for one IP. */
async function fixFor(ip: string, helo: string | null, code: string): Promise<string> {
  const check = await checkPtr([ip], helo, zoneDns(zone));
  return check.problems.find((p) => p.code === code)?.fix ?? "";
}

describe("PTR fixes", () => {
  it("keeps a generic PTR name out of the HELO advice", async () => {
    const fix = await fixFor("192.0.2.22", "mail.example.net", "helo-mismatch");
    expect(fix).not.toContain("dynamic");
    expect(fix).toContain("Keep mail.example.net as the HELO name");
  });

  it("sets a generic PTR to the HELO name", async () => {
    const fix = await fixFor("192.0.2.22", "mail.example.net", "ptr-generic");
    expect(fix).toContain("set its PTR to mail.example.net");
    expect(fix).toContain("mail.example.net has an A record pointing to 192.0.2.22");
  });

  it("offers no bad HELO name as the PTR", async () => {
    const fix = await fixFor("192.0.2.22", "localhost.localdomain", "helo-mismatch");
    expect(fix).not.toContain("dynamic");
    expect(fix).toContain("the mail server's own host name");
  });

  it("adds no second A record to a PTR name", async () => {
    const check = await checkPtr(["192.0.2.21"], "mail.example.net", zoneDns(zone));
    const problem = check.problems.find((p) => p.code === "ptr-not-confirmed");
    expect(problem?.message).toContain("nomatch.example.net points to 192.0.2.99");
    expect(problem?.fix).not.toContain("Add an A record");
    expect(problem?.fix).toContain("set its PTR to mail.example.net");
  });

  it("asks for one PTR record of two", async () => {
    const fix = await fixFor("192.0.2.23", null, "ptr-not-confirmed");
    expect(fix).toContain("Keep one PTR record for 192.0.2.23");
    expect(fix).not.toContain("Add an A record");
  });

  it("adds an A record to a name without one", async () => {
    const fix = await fixFor("192.0.2.24", null, "ptr-not-confirmed");
    expect(fix).toBe("Add an A record for bare.example.net pointing to 192.0.2.24.");
  });

  it("PTR name in another domain", async () => {
    const check = await checkPtr(["192.0.2.25"], "mail.example.net", zoneDns(zone), [
      "example.net",
    ]);
    const fix = check.problems.find((p) => p.code === "ptr-not-confirmed")?.fix ?? "";
    expect(fix).not.toContain("Add an A record for static-25.isp.example.org");
    expect(fix).toMatch(/^Ask the owner of 192\.0\.2\.25 .* set its PTR to mail\.example\.net/);
  });

  it("adds an A record in the checked domain", async () => {
    const check = await checkPtr(["192.0.2.24"], "mail.example.org", zoneDns(zone), [
      "example.net",
    ]);
    const fix = check.problems.find((p) => p.code === "ptr-not-confirmed")?.fix;
    expect(fix).toBe("Add an A record for bare.example.net pointing to 192.0.2.24.");
  });

  it("treats the HELO domain as editable", async () => {
    const check = await checkPtr(["192.0.2.24"], "mail.example.net", zoneDns(zone), [
      "example.com",
    ]);
    const fix = check.problems.find((p) => p.code === "ptr-not-confirmed")?.fix;
    expect(fix).toBe("Add an A record for bare.example.net pointing to 192.0.2.24.");
  });
});
