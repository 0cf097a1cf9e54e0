import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { parseBounceMessage } from "../../src/bounce/mime.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { encodeIso2022Jp } from "../helpers/iso-2022-jp.js";

const classifier = createReplyClassifier();

/** Builds a single-part notice from MAILER-DAEMON whose body is `body` in `charset`. */
function notice(body: readonly string[], charset: "ISO-2022-JP" | "UTF-8"): Buffer {
  const head = [
    "From: MAILER-DAEMON@mail.example.jp",
    "To: sender@example.com",
    "Subject: Returned mail",
    "MIME-Version: 1.0",
    `Content-Type: text/plain; charset=${charset}`,
    `Content-Transfer-Encoding: ${charset === "UTF-8" ? "8bit" : "7bit"}`,
    "",
    "",
  ].join("\n");
  const text = `${body.join("\n")}\n`;
  const encoded = charset === "UTF-8" ? Buffer.from(text) : encodeIso2022Jp(text);
  return Buffer.concat([Buffer.from(head, "latin1"), encoded]);
}

async function results(raw: Buffer): Promise<BounceResult[]> {
  const decoded = await decodeMessage(raw, "notice.eml", classifier);
  expect(decoded.error).toBeNull();
  return decoded.results;
}

// "The mail you sent could not be delivered to the destinations below."
const OPENING = "送信されたメールは、次のあて先に配信できませんでした。";

describe("Japanese bounce notices", () => {
  it("reads a reply after the reason label", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "理由: 550 5.1.1 <taro@example.jp>: Recipient address rejected: User unknown",
        "452 4.2.2 <hanako@example.jp>: Mailbox full",
      ],
      "ISO-2022-JP",
    );
    const [taro, hanako, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(taro?.recipient).toBe("taro@example.jp");
    expect(taro?.replyCode).toBe(550);
    expect(taro?.status).toBe("5.1.1");
    expect(taro?.diagnosticText).toBe(
      "550 5.1.1 <taro@example.jp>: Recipient address rejected: User unknown",
    );
    expect(taro?.reason).toBe("userunknown");
    expect(hanako?.recipient).toBe("hanako@example.jp");
    expect(hanako?.replyCode).toBe(452);
    expect(hanako?.status).toBe("4.2.2");
    expect(hanako?.diagnosticText).toBe("452 4.2.2 <hanako@example.jp>: Mailbox full");
    expect(hanako?.permanent).toBe(false);
  });

  it("reads labelled recipients in full-width forms", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "宛先: jiro@example.jp",
        "理由: 550 5.1.1 User unknown",
        "",
        "宛先：＜saburo@example.jp＞",
        "エラー内容：５５２ ５.２.２ Mailbox over quota",
      ],
      "UTF-8",
    );
    const [jiro, saburo, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(jiro?.recipient).toBe("jiro@example.jp");
    expect(jiro?.replyCode).toBe(550);
    expect(jiro?.status).toBe("5.1.1");
    expect(jiro?.diagnosticText).toBe("550 5.1.1 User unknown");
    expect(saburo?.recipient).toBe("saburo@example.jp");
    expect(saburo?.replyCode).toBe(552);
    expect(saburo?.status).toBe("5.2.2");
    expect(saburo?.diagnosticText).toBe("552 5.2.2 Mailbox over quota");
  });

  it("reads bracketed labels in ISO-2022-JP", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "【送信先メールアドレス】 shiro@example.jp",
        "【エラー内容】 550 5.1.1 <shiro@example.jp>... User unknown",
      ],
      "ISO-2022-JP",
    );
    const [shiro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(shiro?.recipient).toBe("shiro@example.jp");
    expect(shiro?.replyCode).toBe(550);
    expect(shiro?.status).toBe("5.1.1");
    expect(shiro?.diagnosticText).toBe("550 5.1.1 <shiro@example.jp>... User unknown");
  });

  it("keeps a reply naming the sender with its recipient", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "宛先: goro@example.jp",
        "理由: 553 5.1.8 <sender@example.com>: Sender address rejected: Domain not found",
      ],
      "ISO-2022-JP",
    );
    const [goro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(goro?.recipient).toBe("goro@example.jp");
    expect(goro?.replyCode).toBe(553);
    expect(goro?.status).toBe("5.1.8");
  });

  it("reads an address before a Japanese sentence", async () => {
    // "The mail to rokuro@example.jp could not be delivered."
    const raw = notice(
      ["rokuro@example.jp宛のメールは配信できませんでした。", "550 5.2.1 Account disabled"],
      "UTF-8",
    );
    const [rokuro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(rokuro?.recipient).toBe("rokuro@example.jp");
    expect(rokuro?.replyCode).toBe(550);
    expect(rokuro?.status).toBe("5.2.1");
  });

  it("skips the salutation line", async () => {
    const raw = notice(
      ["yamada@example.net 様", "", OPENING, "", "宛先: nana@example.jp", "理由: 550 User unknown"],
      "ISO-2022-JP",
    );
    const recipients = (await results(raw)).map((result) => result.recipient);

    expect(recipients).toEqual(["nana@example.jp"]);
  });

  it("reads a Japanese subject as a bounce sign", async () => {
    // "Notice of a delivery error", from a sender that no bounce sender pattern matches.
    const raw = Buffer.from(
      notice(["宛先: hachi@example.jp", "理由: 550 5.1.1 User unknown"], "UTF-8")
        .toString("utf8")
        .replace("From: MAILER-DAEMON@", "From: info@")
        .replace("Subject: Returned mail", "Subject: =?UTF-8?B?6YWN5L+h44Ko44Op44O8?="),
    );
    const message = await parseBounceMessage(raw);
    const [hachi, ...rest] = await results(raw);

    expect(message.subject).toBe("配信エラー");
    expect(rest).toEqual([]);
    expect(hachi?.recipient).toBe("hachi@example.jp");
  });

  it("stops before the original message", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "宛先: juro@example.jp",
        "理由: 550 5.1.1 User unknown",
        "",
        "----- 元のメッセージ -----",
        "From: <yamada@example.net>",
        "To: <juro@example.jp>",
        "Subject: test",
      ],
      "ISO-2022-JP",
    );
    const recipients = (await results(raw)).map((result) => result.recipient);

    expect(recipients).toEqual(["juro@example.jp"]);
  });

  it("skips salutations of every honorific", async () => {
    const greetings = [
      "owner@example.com さん",
      "owner@example.com 様へ",
      "<owner@example.com> 各位",
      "owner@example.com 御中",
      "owner@example.com 殿",
      "owner@example.com さまへ、",
    ];
    for (const greeting of greetings) {
      const raw = notice(
        [greeting, "", OPENING, "", "宛先: taro@example.jp", "理由: 550 5.1.1 User unknown"],
        "UTF-8",
      );
      const recipients = (await results(raw)).map((result) => result.recipient);

      expect(recipients, greeting).toEqual(["taro@example.jp"]);
    }
  });

  it("skips sentences naming the sender", async () => {
    const sentences = [
      // "The mail sent from owner@example.com could not be delivered."
      "owner@example.com から送信されたメールは配信できませんでした。",
      // "The mail that owner@example.com sent did not reach the destinations below."
      "owner@example.com が送信したメールは、以下の宛先に届きませんでした。",
    ];
    for (const sentence of sentences) {
      const raw = notice(
        [sentence, "", "宛先: taro@example.jp", "理由: 550 5.1.1 User unknown"],
        "UTF-8",
      );
      const [taro, ...rest] = await results(raw);

      expect(rest, sentence).toEqual([]);
      expect(taro?.recipient, sentence).toBe("taro@example.jp");
      expect(taro?.replyCode, sentence).toBe(550);
    }
  });

  it("never lists the named sender as recipient", async () => {
    const raw = notice(
      [
        "owner@example.com から送信されたメールは配信できませんでした。",
        "",
        "宛先: owner@example.com",
        "理由: 550 5.1.1 User unknown",
        "宛先: taro@example.jp",
        "理由: 550 5.1.1 User unknown",
      ],
      "UTF-8",
    );
    const recipients = (await results(raw)).map((result) => result.recipient);

    expect(recipients).toEqual(["taro@example.jp"]);
  });

  it("gives a sender reject to the next recipient", async () => {
    const raw = notice(
      [
        OPENING,
        "理由: 553 5.7.1 <owner@example.com>: Sender address rejected: not owned by user",
        "宛先: taro@example.jp",
      ],
      "UTF-8",
    );
    const [taro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(taro?.recipient).toBe("taro@example.jp");
    expect(taro?.replyCode).toBe(553);
    expect(taro?.status).toBe("5.7.1");
    expect(taro?.diagnosticText).toBe(
      "553 5.7.1 <owner@example.com>: Sender address rejected: not owned by user",
    );
  });

  it("keeps a later sender reject in its block", async () => {
    const raw = notice(
      [
        OPENING,
        "",
        "宛先: taro@example.jp",
        "理由: 550 5.7.1 Relaying denied",
        "詳細: 550 5.7.1 <owner@example.com>: Sender address rejected: Access denied",
      ],
      "UTF-8",
    );
    const [taro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(taro?.recipient).toBe("taro@example.jp");
    expect(taro?.replyCode).toBe(550);
  });

  it("gives no opening sentence as diagnostic", async () => {
    const raw = notice([OPENING, "", "宛先: taro@example.jp"], "UTF-8");
    const [taro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(taro?.recipient).toBe("taro@example.jp");
    expect(taro?.diagnosticText ?? "").not.toContain("配信できませんでした");
  });

  it("stops before the sent message", async () => {
    const markers = [
      "------ 送信したメッセージ ------",
      "―――― 送信されたメール ――――",
      "───── お送りいただいたメール ─────",
    ];
    for (const marker of markers) {
      const raw = notice(
        [
          OPENING,
          "",
          "宛先: taro@example.jp",
          "理由: 550 5.1.1 User unknown",
          "",
          marker,
          "From: <owner@example.com>",
          "To: <taro@example.jp>",
          "Subject: test",
        ],
        "UTF-8",
      );
      const [taro, ...rest] = await results(raw);

      expect(rest, marker).toEqual([]);
      expect(taro?.diagnosticText, marker).toBe("550 5.1.1 User unknown");
    }
  });

  it("reads English notices with one kana", async () => {
    const bodies = [
      ["This is the mail system at host mail.example.com. 山田さんへ"],
      ["Reporting from メール.example.jp"],
    ];
    for (const opening of bodies) {
      const raw = notice(
        [
          ...opening,
          "",
          "550 5.7.1 <owner@example.com>: Sender address rejected: Access denied",
          "<taro@example.jp>: host mx.example.jp[192.0.2.5] said: 550 5.1.1 User unknown",
        ],
        "UTF-8",
      );
      const recipients = (await results(raw)).map((result) => result.recipient);

      expect(recipients, opening[0]).toEqual(["taro@example.jp"]);
    }
  });

  it("reads mostly Japanese unlabelled notices", async () => {
    const raw = notice(
      [
        "このメールは送信者に返送されました。",
        "以下のあて先には配信できませんでした。",
        "550 5.1.1 <taro@example.jp>: User unknown",
      ],
      "UTF-8",
    );
    const [taro, ...rest] = await results(raw);

    expect(rest).toEqual([]);
    expect(taro?.recipient).toBe("taro@example.jp");
    expect(taro?.replyCode).toBe(550);
  });

  it("keeps reply lines of English notices in their block", async () => {
    const raw = notice(
      [
        "The following address failed:",
        "",
        "<kyu@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1 User unknown",
        "550 5.1.1 <alias@example.com>: Recipient address rejected",
      ],
      "UTF-8",
    );
    const recipients = (await results(raw)).map((result) => result.recipient);

    expect(recipients).toEqual(["kyu@example.com"]);
  });
});

interface ManifestRow {
  readonly file: string;
  readonly index: number;
  readonly expected_replycode: string;
}

const root = corpusRoot();

describe.skipIf(root === null)("Japanese notices of the corpus", () => {
  it("gives Sisimai's recipients and reply codes", async () => {
    const base = corpusPath(root ?? "", "bounces", "sisimai");
    const rows = readFileSync(join(base, "manifest.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as ManifestRow);
    let japanese = 0;
    let withReply = 0;

    for (const file of new Set(rows.map((row) => row.file))) {
      const raw = readFileSync(join(base, file));
      if (!/[\u3040-\u30FF]/.test((await parseBounceMessage(raw)).text)) continue;
      japanese++;
      const decoded = await decodeMessage(raw, file, classifier);
      const expected = rows.filter((row) => row.file === file);
      expect(decoded.results.map((result) => result.recipient).length, file).toBe(expected.length);
      for (const row of expected) {
        const replyCode = row.expected_replycode === "" ? null : Number(row.expected_replycode);
        if (replyCode !== null) withReply++;
        expect(decoded.results[row.index - 1]?.replyCode ?? null, file).toBe(replyCode);
      }
    }

    // 17 samples have a notice with kana, 12 of them with a reply code (corpus commit 18e585c).
    expect(japanese).toBe(17);
    expect(withReply).toBe(12);
  }, 60_000);
});
