import { describe, expect, it } from "vitest";
import { namedList } from "../../src/auth/named-list.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

/** Builds a message signed for example.com under `count` selectors, none of them published. */
function manySignatures(count: number): string {
  const signatures = Array.from(
    { length: count },
    (_, i) =>
      `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel${i}; h=from; bh=YQ==; b=Yg==`,
  );
  const headers = ["From: a@example.com", "To: b@example.net", "Subject: test"];
  return [...signatures, ...headers, "", "body", ""].join("\n");
}

describe("check with many DKIM signatures", () => {
  it("counts the selectors past ten", async () => {
    const zone = temporary.file('$ORIGIN example.com.\n@ TXT "v=spf1 -all"\n', "example.zone");
    const message = temporary.file(manySignatures(1_000), "many.eml");
    const args = ["check", "example.com", "--zone", zone, "--message", message];
    const result = await runCommand(args);
    // The text is wrapped at 80 columns, so line breaks and indents become single spaces.
    const text = result.stdout.replace(/\s+/g, " ");
    expect(text).toContain("among the selectors checked: sel0, sel1,");
    expect(text).toContain("sel8, sel9, and 990 more.");
    expect(text).not.toContain("sel10, sel11");
    expect(text).toContain("s=sel9 neutral (body hash did not verify); and 990 more");
  });

  it("joins a short list whole", () => {
    expect(namedList(["s1", "s2"])).toBe("s1, s2");
  });

  it("counts the rest of a long list", () => {
    const items = Array.from({ length: 12 }, (_, i) => `s${i}`);
    expect(namedList(items, "; ")).toBe("s0; s1; s2; s3; s4; s5; s6; s7; s8; s9; and 2 more");
  });
});
