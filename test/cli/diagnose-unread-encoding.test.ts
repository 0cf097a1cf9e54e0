import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const LOG = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n".repeat(7);

function utf32LittleEndian(text: string): Buffer {
  const bytes = Buffer.alloc(text.length * 4);
  for (let index = 0; index < text.length; index += 1) {
    bytes.writeUInt32LE(text.charCodeAt(index), index * 4);
  }
  return bytes;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("diagnose of an unread encoding", () => {
  it("names UTF-32 input and its fix", async () => {
    const path = temporary.file(utf32LittleEndian(LOG), "mail.log");

    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    const stderr = oneLine(result.stderr);
    expect(stderr).toContain("is UTF-32 text, which delist does not read");
    expect(stderr).toContain("`iconv -f UTF-32 -t UTF-8`");
    expect(stderr).not.toContain("binary file");
  });

  it("names UTF-16 input without ASCII", async () => {
    const text = `${"\u4e2d".repeat(800)}\n${LOG}`;
    const path = temporary.file(Buffer.from(text, "utf16le"), "mail.log");

    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    const stderr = oneLine(result.stderr);
    expect(stderr).toContain("may be UTF-16 text");
    expect(stderr).not.toContain("binary file, not a text log");
  });
});
