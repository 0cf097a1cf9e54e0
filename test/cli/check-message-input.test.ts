import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));

const MESSAGE =
  "From: News <news@example.com>\r\nTo: reader@example.org\r\nSubject: Hello\r\n" +
  "Return-Path: <bounces@example.com>\r\n\r\nHello.\r\n";

/** Runs `delist check example.com` offline on the example zone with `--message name`. */
function checkWithMessage(name: string, stdin = "") {
  const argv = ["check", "example.com", "--ip", "192.0.2.25", "--zone", zone, "--offline"];
  return runCommand([...argv, "--message", name, "--format", "json"], stdin);
}

describe("check --message input", () => {
  it("reads the message from stdin for -", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-check-message-"));
    const file = join(dir, "message.eml");
    writeFileSync(file, MESSAGE);

    const fromFile = await checkWithMessage(file);
    const fromStdin = await checkWithMessage("-", MESSAGE);

    expect(fromStdin.stderr).toBe("");
    const stdinJson = JSON.parse(fromStdin.stdout) as { message: unknown };
    const fileJson = JSON.parse(fromFile.stdout) as { message: unknown };
    expect(stdinJson.message).not.toBeNull();
    expect(stdinJson.message).toEqual(fileJson.message);
    expect(fromStdin.code).toBe(fromFile.code);
  });

  it("words a missing file plainly", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "delist-check-message-")), "absent.eml");
    const result = await checkWithMessage(missing);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `delist: cannot read the message file "${missing}": file not found; check the path and the working directory\n`,
    );
    expect(result.stdout).toBe("");
  });

  it("rejects a directory as message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delist-check-message-"));
    const result = await checkWithMessage(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("it is a directory; give the path of a file");
    expect(result.stderr).not.toContain("EISDIR");
  });
});
