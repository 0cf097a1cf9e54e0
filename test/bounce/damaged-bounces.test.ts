import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { readBounces } from "../../src/bounce/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { POSTFIX_DSN } from "./fixtures.js";

const files = temporaryFiles();

/** Returns the Postfix DSN of the fixtures without the lines that contain any of `parts`. */
function without(...parts: string[]): string {
  return POSTFIX_DSN.split("\n")
    .filter((line) => !parts.some((part) => line.includes(part)))
    .join("\n");
}

async function decode(raw: string): ReturnType<typeof decodeMessage> {
  return decodeMessage(raw, "test.eml", createReplyClassifier());
}

/** Wraps `inner` as the attachment of a user's forward, `depth` times. */
function forwarded(inner: string, depth: number): string {
  let message = inner;
  for (let level = 1; level <= depth; level++) {
    message = [
      "From: helpdesk@example.com",
      "To: postmaster@example.com",
      `Subject: Fwd: level ${level}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary="F${level}"`,
      "",
      `--F${level}`,
      "Content-Type: text/plain",
      "",
      "See the attached message.",
      "",
      `--F${level}`,
      "Content-Type: message/rfc822",
      "",
      message,
      `--F${level}--`,
      "",
    ].join("\n");
  }
  return message;
}

describe("DSN without recipient fields", () => {
  it("keeps status, reply and remote MTA", async () => {
    const decoded = await decode(without("Final-Recipient", "Original-Recipient"));
    const [result] = decoded.results;

    expect(decoded.results).toHaveLength(1);
    expect(result?.recipient).toBe("user1@example.net");
    expect(result?.status).toBe("5.1.1");
    expect(result?.replyCode).toBe(550);
    expect(result?.remoteMta).toBe("mx.example.net");
    expect(result?.reason).toBe("userunknown");
    expect(result?.notes?.[0]).toContain("names no Final-Recipient or Original-Recipient");
  });

  it("takes the returned message's To", async () => {
    const raw = without("Final-Recipient", "Original-Recipient", "user1@example.net>:", "    ");
    const decoded = await decode(raw);
    const [result] = decoded.results;

    expect(decoded.results).toHaveLength(1);
    expect(result?.recipient).toBe("user1@example.net");
    expect(result?.status).toBe("5.1.1");
    expect(result?.remoteMta).toBe("mx.example.net");
    expect(result?.notes?.[0]).toContain("the To address of the returned message");
  });

  it("adds no note with Original-Recipient", async () => {
    const decoded = await decode(without("Final-Recipient"));

    expect(decoded.results[0]?.status).toBe("5.1.1");
    expect(decoded.results[0]?.notes).toBeUndefined();
  });
});

describe("delivery status labelled base64", () => {
  const labelled = POSTFIX_DSN.replace(
    "Content-Type: message/delivery-status\n",
    "Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n",
  );

  it("reads plain text with a note", async () => {
    const decoded = await decode(labelled);
    const [result] = decoded.results;

    expect(decoded.results).toHaveLength(1);
    expect(result?.status).toBe("5.1.1");
    expect(result?.remoteMta).toBe("mx.example.net");
    expect(decoded.notes).toEqual([
      'the delivery status part of "test.eml" is labelled base64 but is not base64, so it ' +
        "was read as plain text",
    ]);
  });

  it("decodes real base64 without a note", async () => {
    const fields = /Content-Type: message\/delivery-status\n\n([\s\S]*?)\n--B1/.exec(
      POSTFIX_DSN,
    )?.[1];
    expect(fields).toBeDefined();
    const encoded = Buffer.from(fields ?? "")
      .toString("base64")
      .replace(/.{76}/g, "$&\n");
    const raw = labelled.replace(fields ?? "", encoded);
    const decoded = await decode(raw);

    expect(decoded.results[0]?.status).toBe("5.1.1");
    expect(decoded.notes).toEqual([]);
  });
});

describe("bounce over the MIME part limit", () => {
  const extra = Array.from({ length: 10_000 }, (_, index) =>
    ["--B1", "Content-Type: text/plain", "", `extra part ${index}`].join("\n"),
  ).join("\n");
  const many = POSTFIX_DSN.replace("--B1--", `${extra}\n--B1--`);

  it("reads the first parts", async () => {
    const path = files.file(many, "parts.eml");
    const run = await readBounces([path], { cwd: "/" });
    const summary = run.files[0];

    expect(summary?.errors).toEqual([]);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]?.recipient).toBe("user1@example.net");
    expect(run.results[0]?.status).toBe("5.1.1");
    expect(summary?.notes.join("\n")).toContain("more than 200 MIME parts");
    expect(summary?.notes.join("\n")).toContain("the rest were skipped");
  });

  it("reads delivery status parts up to the limit", async () => {
    const status = [
      "--B1",
      "Content-Type: message/delivery-status",
      "",
      "Final-Recipient: rfc822; user2@example.net",
      "Action: failed",
      "Status: 5.1.1",
      "",
    ].join("\n");
    const raw = POSTFIX_DSN.replace("--B1--", `${Array(10_000).fill(status).join("\n")}\n--B1--`);
    const decoded = await decode(raw);

    expect(decoded.results[0]?.recipient).toBe("user1@example.net");
    expect(decoded.notes[0]).toContain("more than 200 MIME parts");
  });
});

/**
 * Builds a whole multipart/report from MAILER-DAEMON: a notice without recipient lines,
 * `fillers` text/plain parts, `reports` delivery status parts, then the closing boundary.
 */
function reportWithParts(fillers: number, reports: number): string {
  const lines = [
    "From: MAILER-DAEMON@mx.example.com",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    "",
    "--R",
    "Content-Type: text/plain",
    "",
    "The mail system could not deliver your message.",
    "",
  ];
  for (let index = 0; index < fillers; index++) {
    lines.push("--R", "Content-Type: text/plain", "", `filler part ${index}`, "");
  }
  for (let index = 0; index < reports; index++) {
    lines.push(
      "--R",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.com",
      "",
      `Final-Recipient: rfc822; user${index}@example.net`,
      "Action: failed",
      "Status: 5.2.2",
      "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full",
      "",
    );
  }
  lines.push("--R--", "");
  return lines.join("\n");
}

describe("whole bounce past the MIME part limit", () => {
  it("names the limit without a report", async () => {
    const path = files.file(reportWithParts(500, 1), "late-report.eml");
    const run = await readBounces([path], { cwd: "/" });
    const errors = run.files[0]?.errors ?? [];

    expect(run.results).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("no recipient was read from its first 199 MIME parts");
    expect(errors[0]).toContain("more than 200 MIME parts, the limit that delist reads");
    expect(errors[0]).not.toContain("cut short");
    expect(errors[0]).not.toContain("check that the file is complete");
  });

  it("adds no cut note after the limit", async () => {
    const raw = reportWithParts(0, 400);
    const decoded = await decode(raw);

    expect(decoded.results[0]?.recipient).toBe("user0@example.net");
    expect(decoded.endsInsideReport).toBe(false);

    const path = files.file(raw, "many-reports.eml");
    const run = await readBounces([path], { cwd: "/" });
    const notes = run.files[0]?.notes.join("\n") ?? "";
    expect(notes).toContain("more than 200 MIME parts");
    expect(notes).not.toContain("cut short");
  });

  it("keeps the cut error under the limit", async () => {
    const whole = reportWithParts(5, 1);
    const raw = whole.slice(0, whole.indexOf("Content-Type: message/delivery-status"));
    const decoded = await decode(raw);

    expect(decoded.results).toEqual([]);
    expect(decoded.error).toContain("has no delivery report: cut short?");
  });
});

describe("bounce forwarded as an attachment", () => {
  for (const depth of [1, 2, 3, 5]) {
    it(`finds the DSN ${depth} levels deep`, async () => {
      const decoded = await decode(forwarded(POSTFIX_DSN, depth));

      expect(decoded.kind).toBe("dsn");
      expect(decoded.results).toHaveLength(1);
      expect(decoded.results[0]?.status).toBe("5.1.1");
      expect(decoded.notes).toEqual([]);
    });
  }

  it("reports a bounce past the depth limit as unread", async () => {
    const decoded = await decode(forwarded(POSTFIX_DSN, 6));

    expect(decoded.results).toEqual([]);
    expect(decoded.notes).toEqual([]);
    expect(decoded.error).toBe(
      '"test.eml" could not be read to the end: it has messages attached more than 5 levels ' +
        "deep, the limit that delist searches for a bounce, and none of the levels read is a " +
        "bounce. Save the innermost attached message as an .eml file and read that",
    );
  });

  it("counts a deep forward as unreadable", async () => {
    const path = files.file(forwarded(POSTFIX_DSN, 20), "deep.eml");
    const run = await readBounces([path], { cwd: "/" });

    expect(run.results).toEqual([]);
    expect(run.files[0]?.messages).toBe(0);
    expect(run.files[0]?.errors).toHaveLength(1);
    expect(run.files[0]?.errors[0]).toContain("more than 5 levels deep");
  });

  it("skips a deep forward in a folder", async () => {
    const folder = files.folder({
      "deep.eml": forwarded(POSTFIX_DSN, 20),
      "plain.eml": POSTFIX_DSN,
    });
    const run = await readBounces([folder], { cwd: "/" });
    const deep = run.files.find((summary) => summary.file.endsWith("deep.eml"));

    expect(run.results).toHaveLength(1);
    expect(deep?.messages).toBe(0);
    expect(deep?.skipped).toBe(1);
    expect(deep?.errors).toEqual([]);
  });
});
