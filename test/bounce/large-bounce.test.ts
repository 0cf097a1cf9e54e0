import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { readBounces } from "../../src/bounce/index.js";

const dir = mkdtempSync(join(tmpdir(), "delist-bounces-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a Postfix-style notice that lists `count` unknown recipients. */
function postfixNotice(count: number): string {
  const lines = [
    "From: MAILER-DAEMON@mail.example.com",
    "To: owner@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Message-ID: <large-1@mail.example.com>",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is the mail system at host mail.example.com.",
    "",
  ];
  for (let index = 0; index < count; index++) {
    lines.push(
      `<user${index}@example.net>: host mx.example.net[192.0.2.5] said: 550 5.1.1 User unknown`,
      "",
    );
  }
  return lines.join("\n");
}

describe("readBounces large notice", () => {
  it("reads 200,000 recipients of one notice", async () => {
    writeFileSync(join(dir, "large.eml"), postfixNotice(200_000));
    const run = await readBounces(["large.eml"], { cwd: dir });

    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.recipients).toBe(200_000);
    expect(run.results).toHaveLength(200_000);
    expect(run.results[199_999]?.recipient).toBe("user199999@example.net");
  }, 60_000);

  it("stream error without errno is internal", async () => {
    const stdin = new Readable({
      read() {
        this.destroy(new RangeError("Invalid array length"));
      },
    });
    const run = await readBounces(["-"], { cwd: dir, stdin });
    const errors = run.files[0]?.errors ?? [];

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("internal error of delist");
    expect(errors[0]).toContain("Invalid array length");
    expect(errors[0]).not.toContain("check that it is a readable file");
  });
});
