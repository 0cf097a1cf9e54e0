import { describe, expect, test } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { EXIM, POSTFIX_DSN, SENDMAIL_TRANSCRIPT } from "./fixtures.js";

const classifier = createReplyClassifier();

async function queueIds(raw: string): Promise<Array<string | null>> {
  const decoded = await decodeMessage(raw, "bounce.eml", classifier);
  return decoded.results.map((result) => result.queueId);
}

describe("returned queue id", () => {
  test("Postfix DSN field", async () => {
    const raw = POSTFIX_DSN.replace(
      "Reporting-MTA: dns; mx.example.com",
      "Reporting-MTA: dns; mx.example.com\nX-Postfix-Queue-ID: 4A00000012",
    );
    expect(await queueIds(raw)).toEqual(["4A00000012"]);
  });

  test("Exim copy's Received id", async () => {
    const raw = EXIM.replace(
      "\nFrom: sender@example.com\n",
      [
        "",
        "Return-path: <sender@example.com>",
        "Received: from localhost ([127.0.0.1])",
        "\tby mx.example.com with esmtpa (Exim 4.97)",
        "\t(envelope-from <sender@example.com>)",
        "\tid 1tAbCd-000123-Xy",
        "\tfor user2@example.net; Tue, 03 Mar 2026 10:00:00 +0000",
        "From: sender@example.com",
        "",
      ].join("\n"),
    );
    expect(await queueIds(raw)).toEqual(["1tAbCd-000123-Xy"]);
  });

  test("Sendmail returned message's Received id", async () => {
    const raw = SENDMAIL_TRANSCRIPT.replace(
      "   ----- Unsent message follows -----\n",
      [
        "   ----- Unsent message follows -----",
        "Received: from client.example.com (client.example.com [198.51.100.7])",
        "\tby mx.example.com (8.18.1/8.18.1) with ESMTP id 623A0B1c004321;",
        "\tTue, 3 Mar 2026 10:00:00 +0000",
        "",
      ].join("\n"),
    );
    expect(await queueIds(raw)).toEqual(["623A0B1c004321"]);
  });

  test("Sendmail DSN's returned headers", async () => {
    const raw = POSTFIX_DSN.replace(
      "Content-Type: message/rfc822\n",
      [
        "Content-Type: text/rfc822-headers",
        "",
        "Return-Path: <sender@example.com>",
        "Received: from client.example.com (client.example.com [198.51.100.7])",
        "\tby mx.example.com (8.18.1/8.18.1) with ESMTP id 623A0B1c004322",
        "\tfor <user1@example.net>; Tue, 3 Mar 2026 10:00:00 +0000",
      ].join("\n"),
    );
    expect(await queueIds(raw)).toEqual(["623A0B1c004322"]);
  });

  test("Received in the body is ignored", async () => {
    const raw = POSTFIX_DSN.replace(
      "\nhello\n",
      "\nReceived: from a by b with SMTP id BODY0001; Tue, 3 Mar 2026 10:00:00 +0000\n",
    );
    expect(await queueIds(raw)).toEqual([null]);
  });
});
