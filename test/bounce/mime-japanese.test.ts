import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { parseBounceMessage } from "../../src/bounce/mime.js";
import { withJapaneseCharsetsFixed } from "../../src/bounce/mime-japanese.js";
import { parseWithPostalMime } from "../../src/bounce/mime-postal.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";

/** "このメールは配達できませんでした。" ("this mail could not be delivered") in three charsets. */
const SENTENCE = "このメールは配達できませんでした。";
const EUC_JP = Buffer.from(
  "a4b3a4cea5e1a1bca5eba4cfc7dbc3a3a4c7a4ada4dea4bba4f3a4c7a4b7a4bfa1a3",
  "hex",
);
const SHIFT_JIS = Buffer.from(
  "82b182cc8381815b838b82cd947a924282c582ab82dc82b982f182c582b582bd8142",
  "hex",
);
const ISO_2022_JP = Buffer.from("\x1b$B$3$N%a!<%k$OG[C#$G$-$^$;$s$G$7$?!#\x1b(B", "latin1");

/** Builds a multipart bounce whose notice part is labelled `label` and contains `sentence`. */
function bounce(label: string, sentence: Buffer): Buffer {
  const head = [
    "From: MAILER-DAEMON@mx.example.jp",
    "To: sender@example.com",
    "Subject: Mail System Error - Returned Mail",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="J1"',
    "",
    "--J1",
    `Content-Type: text/plain; charset="${label}"`,
    "Content-Transfer-Encoding: 7bit",
    "",
    "",
  ].join("\n");
  const tail = [
    "",
    "",
    "Your message was not delivered.",
    "The following recipients did not receive this message:",
    "",
    "<nobody@example.jp>",
    "",
    "--J1--",
    "",
  ].join("\n");
  return Buffer.concat([Buffer.from(head, "latin1"), sentence, Buffer.from(tail, "latin1")]);
}

function labelOf(raw: Uint8Array): string | undefined {
  return /charset="([^"]+)"/.exec(Buffer.from(raw).toString("latin1"))?.[1];
}

/** Builds a single-part notice labelled ISO-2022-JP whose Shift_JIS body opens with dashes. */
function singlePartWithSeparator(): Buffer {
  const head = [
    "From: MAILER-DAEMON@mx.example.jp",
    "To: sender@example.com",
    "Subject: Returned mail",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=ISO-2022-JP",
    "Content-Transfer-Encoding: 8bit",
    "",
    "",
  ].join("\n");
  const separator = Buffer.from(`${"-".repeat(60)}\n`, "latin1");
  // "宛先" (recipient) in Shift_JIS.
  const recipientLabel = Buffer.from("88b690e6", "hex");
  return Buffer.concat([
    Buffer.from(head, "latin1"),
    separator,
    SHIFT_JIS,
    Buffer.from("\n", "latin1"),
    separator,
    recipientLabel,
    Buffer.from(": taro@example.jp\n550 5.1.1 User unknown\n", "latin1"),
  ]);
}

describe("withJapaneseCharsetsFixed", () => {
  it("relabels a single part opening with dashes", () => {
    const fixed = Buffer.from(withJapaneseCharsetsFixed(singlePartWithSeparator()));
    expect(fixed.toString("latin1")).toContain("charset=shift_jis");
  });

  it("relabels EUC-JP text as euc-jp", () => {
    expect(labelOf(withJapaneseCharsetsFixed(bounce("ISO-2022-JP", EUC_JP)))).toBe("euc-jp");
  });

  it("relabels Shift_JIS text as shift_jis", () => {
    const fixed = withJapaneseCharsetsFixed(bounce("iso-2022-jp", SHIFT_JIS));
    expect(labelOf(fixed)).toBe("shift_jis");
  });

  it("relabels UTF-8 text as utf-8", () => {
    const fixed = withJapaneseCharsetsFixed(bounce("ISO-2022-JP", Buffer.from(SENTENCE)));
    expect(labelOf(fixed)).toBe("utf-8");
  });

  it("keeps real ISO-2022-JP unchanged", () => {
    const raw = bounce("ISO-2022-JP", ISO_2022_JP);
    expect(withJapaneseCharsetsFixed(raw)).toBe(raw);
  });

  it("keeps ISO-2022-JP-2 labels", () => {
    const raw = bounce("ISO-2022-JP-2", EUC_JP);
    expect(withJapaneseCharsetsFixed(raw)).toBe(raw);
  });

  it("keeps bytes outside the label", () => {
    const raw = bounce("ISO-2022-JP", EUC_JP);
    const fixed = Buffer.from(withJapaneseCharsetsFixed(raw));
    expect(fixed.toString("latin1")).toBe(
      raw.toString("latin1").replace('charset="ISO-2022-JP"', 'charset="euc-jp"'),
    );
  });
});

describe("Japanese bounce text", () => {
  it("decodes real ISO-2022-JP", async () => {
    const message = await parseBounceMessage(bounce("ISO-2022-JP", ISO_2022_JP));
    expect(message.text).toContain(SENTENCE);
  });

  it("decodes EUC-JP labelled ISO-2022-JP", async () => {
    const message = await parseBounceMessage(bounce("ISO-2022-JP", EUC_JP));
    expect(message.text).toContain(SENTENCE);
    expect(message.text).not.toContain("\uFFFD");
  });

  it("reads the relabelled message alike in postal-mime", async () => {
    const fixed = withJapaneseCharsetsFixed(bounce("ISO-2022-JP", SHIFT_JIS));
    expect((await parseWithPostalMime(fixed)).text).toContain(SENTENCE);
  });

  it("decodes ISO-2022-JP under a malformed type", async () => {
    const raw = bounce("ISO-2022-JP", ISO_2022_JP);
    const malformed = Buffer.from(
      raw
        .toString("latin1")
        .replace('text/plain; charset="ISO-2022-JP"', "text/plain   charset=iso-2022-jp"),
      "latin1",
    );
    const message = await parseBounceMessage(malformed);
    expect(message.text).toContain(SENTENCE);
    expect(message.text).not.toContain("\u001b");
  });

  it("reads Shift_JIS opening with dashes", async () => {
    const decoded = await decodeMessage(
      singlePartWithSeparator(),
      "jp.eml",
      createReplyClassifier(),
    );
    expect(decoded.results).toHaveLength(1);
    expect(decoded.results[0]?.recipient).toBe("taro@example.jp");
    expect(decoded.results[0]?.replyCode).toBe(550);
  });

  it("keeps the text in the diagnostic", async () => {
    const decoded = await decodeMessage(
      bounce("ISO-2022-JP", EUC_JP),
      "jp.eml",
      createReplyClassifier(),
    );
    expect(decoded.results).toHaveLength(1);
    expect(decoded.results[0]?.recipient).toBe("nobody@example.jp");
    expect(decoded.results[0]?.diagnosticText).toContain(SENTENCE);
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("Japanese bounces of the corpus", () => {
  it("decodes the EUC-JP notice of lhost-ezweb-05", async () => {
    const path = corpusPath(root ?? "", "bounces/sisimai/maildir/bsd/lhost-ezweb-05.eml");
    const decoded = await decodeMessage(readFileSync(path), path, createReplyClassifier());
    const text = decoded.results[0]?.diagnosticText ?? "";
    expect(text).toContain("送信できませんでした");
    expect(text).not.toContain("\uFFFD");
  });
});
