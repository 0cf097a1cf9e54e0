import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { readBounces } from "../../src/bounce/index.js";
import { parseBounceMessage } from "../../src/bounce/mime.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { encodeIso2022Jp } from "../helpers/iso-2022-jp.js";

const classifier = createReplyClassifier();
const dir = mkdtempSync(join(tmpdir(), "delist-cut-escapes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = [
  "From: MAILER-DAEMON@mail.example.jp",
  "To: sender@example.com",
  "Subject: Returned mail",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=ISO-2022-JP",
  "Content-Transfer-Encoding: 7bit",
  "",
  "",
].join("\n");

// "The mail you sent could not be delivered to the destinations below."
const OPENING = "送信されたメールは、次のあて先に配信できませんでした。";
// "(user does not exist": the reason line as a Japanese server writes it, here cut short.
const REASON = "理由: 550 5.1.1 User unknown (ユーザーが存在しません";

// The escape sequences that a cut can leave: ESC alone and the first bytes of `ESC $ B`,
// `ESC ( B` and `ESC $ ( D`.
const CUTS = ["\x1b", "\x1b$", "\x1b(", "\x1b$("];

/** Builds a single-part ISO-2022-JP notice of `before`, then the bytes `cut`, then `after`. */
function notice(before: string, cut: string, after = ""): Buffer {
  return Buffer.concat([
    Buffer.from(HEAD, "latin1"),
    encodeIso2022Jp(before),
    Buffer.from(cut, "latin1"),
    encodeIso2022Jp(after),
  ]);
}

const BODY = `${OPENING}\n\n宛先: taro@example.jp\n${REASON}`;

describe("ISO-2022-JP escapes cut short", () => {
  it("drops a cut at the file end", async () => {
    for (const cut of CUTS) {
      const decoded = await decodeMessage(notice(BODY, cut), "cut.eml", classifier);
      const [taro, ...rest] = decoded.results;

      expect(rest, JSON.stringify(cut)).toEqual([]);
      expect(taro?.recipient, JSON.stringify(cut)).toBe("taro@example.jp");
      expect(taro?.diagnosticText, JSON.stringify(cut)).toBe(
        "550 5.1.1 User unknown (ユーザーが存在しません",
      );
      expect(decoded.cutEscapeSequences, JSON.stringify(cut)).toBe(1);
    }
  });

  it("drops a cut before a line end", async () => {
    const after = "\n\n宛先: hanako@example.jp\n理由: 552 5.2.2 Mailbox full\n";
    for (const cut of CUTS) {
      for (const lineEnd of ["", "\r"]) {
        const raw = notice(BODY, `${cut}${lineEnd}`, after);
        const message = await parseBounceMessage(raw);
        const decoded = await decodeMessage(raw, "cut.eml", classifier);
        const label = JSON.stringify(cut + lineEnd);

        expect(message.text, label).not.toContain("\uFFFD");
        expect(message.text, label).toContain("ユーザーが存在しません\n");
        expect(decoded.results.map((result) => result.recipient)).toEqual([
          "taro@example.jp",
          "hanako@example.jp",
        ]);
        expect(decoded.cutEscapeSequences, label).toBe(1);
      }
    }
  });

  it("keeps whole escape sequences", async () => {
    const raw = notice(`${BODY})\n`, "");
    const message = await parseBounceMessage(raw);
    const decoded = await decodeMessage(raw, "whole.eml", classifier);

    expect(message.text).toContain("ユーザーが存在しません)");
    expect(decoded.cutEscapeSequences).toBe(0);
  });

  it("leaves other charsets alone", async () => {
    const raw = Buffer.concat([
      Buffer.from(HEAD.replace("ISO-2022-JP", "us-ascii"), "latin1"),
      Buffer.from("550 5.1.1 <taro@example.jp>: User unknown\x1b$", "latin1"),
    ]);
    const decoded = await decodeMessage(raw, "ascii.eml", classifier);

    expect(decoded.cutEscapeSequences).toBe(0);
  });

  it("notes the cut in the summary", async () => {
    writeFileSync(join(dir, "cut.eml"), notice(BODY, "\x1b$"));
    writeFileSync(join(dir, "whole.eml"), notice(`${BODY})\n`, ""));
    const run = await readBounces(["cut.eml", "whole.eml"], { cwd: dir, classifier });
    const [cut, whole] = run.files;

    expect(cut?.notes).toHaveLength(1);
    expect(cut?.notes[0]).toContain('"cut.eml" has 1 ISO-2022-JP escape sequence cut short');
    expect(whole?.notes).toEqual([]);
    expect(run.results).toHaveLength(2);
  });
});
