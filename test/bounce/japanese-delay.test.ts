import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { isBounceSubject } from "../../src/bounce/formats/text-bounce.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { encodeIso2022Jp } from "../helpers/iso-2022-jp.js";

const classifier = createReplyClassifier();

/** Builds a single-part ISO-2022-JP notice from `from` with `subject` and `body`. */
function notice(body: readonly string[], from = "MAILER-DAEMON@mail.example.jp", subject = "") {
  const head = [
    `From: ${from}`,
    "To: sender@example.com",
    `Subject: =?ISO-2022-JP?B?${encodeIso2022Jp(subject).toString("base64")}?=`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=ISO-2022-JP",
    "Content-Transfer-Encoding: 7bit",
    "",
    "",
  ].join("\n");
  return Buffer.concat([Buffer.from(head, "latin1"), encodeIso2022Jp(`${body.join("\n")}\n`)]);
}

async function results(raw: Buffer): Promise<BounceResult[]> {
  const decoded = await decodeMessage(raw, "notice.eml", classifier);
  expect(decoded.error).toBeNull();
  return decoded.results;
}

const RECIPIENT = [
  "",
  "宛先: taro@example.jp",
  "理由: 451 4.3.0 Temporary failure, try again later",
];

// Opening sentences of delay notices, each with its English meaning.
const DELAY_OPENINGS = [
  // "The mail you sent has not been delivered yet. The server keeps trying to deliver it."
  ["送信されたメールはまだ配信されていません。", "サーバーは引き続き配信を試みます。"],
  // "Delivery to the destination below is delayed."
  ["次のあて先への配信が遅延しています。"],
  // "Delivery of the mail is late. Delivery is being retried."
  ["メールの配送が遅れています。", "配送を再試行しています。"],
  // "The mail server is retrying the sending. You need not send it again."
  ["メールサーバーが送信を再試行中です。再送の必要はありません。"],
];

// Opening sentences of failure notices, some of which mention a retry, a resend or a delay.
const FAILURE_OPENINGS = [
  // "The mail could not be delivered to the destination below."
  ["送信されたメールは、次のあて先に配信できませんでした。"],
  // "We tried resending, but could not send because of the receiving mail server."
  ["再送信を試みましたが送信先メールサーバの事由により送信できませんでした。"],
  // "Please check the address and send it again later."
  ["配信できませんでした。しばらくしてから再送信してください。"],
  // "Delivery was delayed, but in the end the mail could not be delivered."
  ["配信が遅延していましたが、最終的に配信できませんでした。"],
];

describe("Japanese delay notices", () => {
  it("reads delay wordings as delayed", async () => {
    for (const opening of DELAY_OPENINGS) {
      const [taro, ...rest] = await results(notice([...opening, ...RECIPIENT]));

      expect(rest, opening[0]).toEqual([]);
      expect(taro?.recipient, opening[0]).toBe("taro@example.jp");
      expect(taro?.action, opening[0]).toBe("delayed");
      expect(taro?.hardBounce, opening[0]).toBe(false);
    }
  });

  it("keeps failure wordings failed", async () => {
    for (const opening of FAILURE_OPENINGS) {
      const [taro] = await results(notice([...opening, ...RECIPIENT]));

      expect(taro?.recipient, opening[0]).toBe("taro@example.jp");
      expect(taro?.action, opening[0]).toBe("failed");
    }
  });

  it("reads a delay subject as a bounce", async () => {
    // "Notice of a delivery delay" and "Mail delivery delayed".
    for (const subject of ["配信遅延のお知らせ", "メール配送の遅延"]) {
      expect(isBounceSubject(subject), subject).toBe(true);

      const body = [...(DELAY_OPENINGS[1] ?? []), ...RECIPIENT];
      const [taro] = await results(notice(body, "mail-admin@mail.example.jp", subject));

      expect(taro?.recipient, subject).toBe("taro@example.jp");
      expect(taro?.action, subject).toBe("delayed");
    }
  });
});
