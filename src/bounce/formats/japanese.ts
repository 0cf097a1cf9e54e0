/**
 * Recipient lines of plain-text bounce notices written in Japanese. Such notices label their
 * lines in Japanese ("宛先: a@b" for the recipient, "理由: 550 5.1.1 …" for the reason), write
 * colons and brackets in full-width forms, and may give the remote reply with the recipient
 * inside it ("550 5.1.1 <a@b>: User unknown") on a line of its own.
 */
import { ADDRESS } from "./address.js";

const ADDRESS_SOURCE = ADDRESS.source;

// Labels of the recipient ("宛先", "宛て先" and "あて先": destination, "送信先": sent to,
// "配信先" and "配送先": delivered to, "受信者" and "受取人": recipient), optionally with
// "(メール)アドレス" ("(mail) address").
const RECIPIENT_LABEL =
  String.raw`(?:宛先|宛て先|あて先|送信先|配信先|配送先|受信者|受取人)` +
  String.raw`(?:の?(?:メール)?アドレス)?`;

// Labels of the error ("理由": reason, "原因": cause, "エラー内容": error details, "詳細":
// details, "応答": response, "サーバ(ー)からの応答": response from the server, …).
const ERROR_LABEL =
  String.raw`(?:理由|原因|エラー(?:内容|理由|詳細|メッセージ|コード)?|詳細(?:情報)?|` +
  String.raw`(?:サーバー?(?:からの)?)?(?:応答|返答|メッセージ))`;

// A label starts a line, maybe after a bullet, and is either in brackets ("【宛先】") or
// followed by a colon. The colon may be full-width, because the notice is tested for labels
// before NFKC turns "：" into ":".
const labelled = (label: string): string =>
  String.raw`^\s*[■●・*-]?\s*(?:(?:【|\[)${label}(?:】|\])\s*[:：]?|${label}\s*[:：])\s*`;

const LABELLED_LINE = new RegExp(labelled(`(?:${RECIPIENT_LABEL}|${ERROR_LABEL})`), "m");

const ERROR_LABEL_START = new RegExp(labelled(ERROR_LABEL));

/**
 * Anchor of a labelled recipient line, "宛先: <a@b>" or "【宛先】a@b", with the address in
 * group 1 and any error after it on the same line in group 2.
 */
export const JAPANESE_RECIPIENT_ANCHOR = new RegExp(
  labelled(RECIPIENT_LABEL) + String.raw`<?(${ADDRESS_SOURCE})>?(?:\s*:)?\s*(.*)$`,
);

/**
 * Anchor of a remote reply that names the recipient at its start, after the reply code and
 * an optional enhanced status code: "452 4.2.2 <a@b>: Mailbox full". The whole line is the
 * error. Group 1 is the address.
 */
export const REPLY_NAMING_RECIPIENT = new RegExp(
  String.raw`^\s*[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s+)?<(${ADDRESS_SOURCE})>`,
);

/**
 * Anchor of an address at the start of a line and Japanese text right after it, as in
 * "<a@b> 宛のメールは配信できませんでした" ("the mail to a@b could not be delivered"). Group 1
 * is the address, group 2 the sentence.
 */
export const ADDRESS_BEFORE_JAPANESE = new RegExp(
  String.raw`^\s*<?(${ADDRESS_SOURCE})>?\s*((?![様殿])[\u3040-\u30FF\u4E00-\u9FFF].*)$`,
);

// An address with an honorific after it greets the reader of the notice, mostly the sender
// of the returned message: "a@b 様" and "a@b さま" (Mr. or Ms.), "a@b さん" (less formal),
// "a@b 殿" (official), "a@b 各位" (everyone at), "a@b 御中" (the organisation). Each may end
// in "へ" ("to").
const SALUTATION = new RegExp(
  String.raw`^\s*<?(${ADDRESS_SOURCE})>?\s*(?:様|さま|さん|殿|各位|御中)へ?\s*[,、]?\s*$`,
);

// A sentence that names the sender of the returned message: "a@b から送信されたメール" ("the
// mail sent from a@b"), "a@b より送られた" ("sent by a@b"), "a@b が送信したメール" ("the mail
// that a@b sent"). "から" alone is no sign, because "a@b からの応答" is the recipient's reply.
// The address starts the line or follows a space or "(", which also keeps the search linear.
const SENDER_SENTENCE = new RegExp(
  String.raw`(?:^|[\s(])<?(${ADDRESS_SOURCE})>?\s*(?:様|さん)?\s*` +
    String.raw`(?:(?:から|より)の?|が)\s*(?:送信|送ら|送っ|お送り|発信|差し出)`,
);

/**
 * Returns the address that a line names as the sender of the returned message, in a
 * salutation ("a@b 様") or in a sentence ("a@b から送信された…"), or null.
 */
export function senderNamedIn(line: string): string | null {
  return (SALUTATION.exec(line) ?? SENDER_SENTENCE.exec(line))?.[1] ?? null;
}

/**
 * True when the notice has a line with a Japanese recipient or error label, or when its text
 * lines are mostly Japanese. A Japanese name or host name in an English notice does not count,
 * so English notices keep the English reading.
 */
export function isJapaneseNotice(text: string): boolean {
  if (LABELLED_LINE.test(text)) return true;
  let japanese = 0;
  let english = 0;
  for (const line of text.split("\n")) {
    const language = lineLanguage(line);
    if (language === "japanese") japanese++;
    if (language === "english") english++;
  }
  return japanese > english;
}

const REPLY_LINE = /^\s*[245]\d\d[\s-]/;

/**
 * Returns the language of a line of notice text: "japanese" when it has kana and more
 * Japanese characters than Latin letters, where the letters of ASCII words with an "@"
 * (addresses) are not counted. A remote server's reply is English in notices of both
 * languages, so a reply line and a line without letters return null.
 */
function lineLanguage(line: string): "japanese" | "english" | null {
  if (REPLY_LINE.test(line)) return null;
  const { japanese, latin, kana } = countLetters(line);
  if (japanese > latin && kana) return "japanese";
  return latin > 0 ? "english" : null;
}

/**
 * Counts the Japanese characters (kana and ideographs) and the Latin letters of a line, in
 * one pass without allocations because a notice line may be megabytes long.
 */
function countLetters(line: string): { japanese: number; latin: number; kana: boolean } {
  let japanese = 0;
  let latin = 0;
  let kana = false;
  let wordLetters = 0;
  let wordHasAt = false;
  for (let index = 0; index <= line.length; index++) {
    const code = index < line.length ? line.charCodeAt(index) : 0x20;
    if (code >= 0x21 && code <= 0x7e) {
      if (code === 0x40) wordHasAt = true;
      if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) wordLetters++;
      continue;
    }

    // The ASCII word before this character ends here.
    if (!wordHasAt) latin += wordLetters;
    wordLetters = 0;
    wordHasAt = false;
    // Hiragana, katakana and half-width katakana. Chinese text shares the ideographs but has
    // no kana.
    const isKana = (code >= 0x3040 && code <= 0x30ff) || (code >= 0xff66 && code <= 0xff9f);
    if (isKana) kana = true;
    if (isKana || (code >= 0x4e00 && code <= 0x9fff)) japanese++;
  }
  return { japanese, latin, kana };
}

/**
 * Returns the lines of a Japanese notice ready for the recipient scanner. Full-width forms
 * become ASCII (Unicode NFKC, so "：" is ":" and "＜" is "<"). An error label at the start of
 * a line is removed with the spaces around it, so that the reply code starts the line.
 */
export function japaneseNoticeLines(notification: string): string[] {
  return notification
    .normalize("NFKC")
    .split("\n")
    .map((line) => line.replace(ERROR_LABEL_START, ""));
}
