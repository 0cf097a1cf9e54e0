import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { message } from "./fixtures.js";

async function decode(raw: string): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results;
}

/** Builds a DSN with one group of fields per recipient. */
function dsn(...groups: readonly (readonly string[])[]): string {
  return message(
    "From: MAILER-DAEMON@mx.example.net",
    "To: sender@example.com",
    "Subject: Delivery Status Notification",
    "Date: Thu, 05 Mar 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="S1"',
    "",
    "--S1",
    "Content-Type: text/plain",
    "",
    "Delivery report.",
    "",
    "--S1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    ...groups.flatMap((group) => ["", ...group]),
    "",
    "--S1--",
  );
}

const GMAIL_RATE =
  "Diagnostic-Code: smtp; 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail " +
  "originating from your IP address. To protect our users from spam, mail sent from your IP " +
  "address has been temporarily rate limited. - gsmtp";

const DELAYED = [
  "Final-Recipient: rfc822; slow@gmail.com",
  "Action: delayed",
  "Status: 4.7.28",
  GMAIL_RATE,
];
const FAILED_SUCCESS = [
  "Final-Recipient: rfc822; contra@gmail.com",
  "Action: failed",
  "Status: 2.0.0",
];
const DELIVERED = ["Final-Recipient: rfc822; ok@example.org", "Action: delivered", "Status: 2.0.0"];
const UNKNOWN = [
  "Final-Recipient: rfc822; gone@example.org",
  "Action: failed",
  "Status: 5.1.1",
  "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
];

describe("delayed recipients", () => {
  it("reports a delay as delayed, not permanent", async () => {
    const [result] = await decode(dsn(DELAYED));
    expect(result?.action).toBe("delayed");
    expect(result?.permanent).toBe(false);
    expect(result?.hardBounce).toBe(false);
    expect(result?.notes).toBeUndefined();
  });

  it("never calls a delayed unknown user hard", async () => {
    const group = [
      "Final-Recipient: rfc822; maybe@example.org",
      "Action: delayed",
      "Status: 4.1.1",
      "Diagnostic-Code: smtp; 450 4.1.1 <maybe@example.org>: Recipient address rejected: User unknown",
    ];
    const [result] = await decode(dsn(group));
    expect(result?.action).toBe("delayed");
    expect(result?.hardBounce).toBe(false);
  });

  it("exits 0 for delays alone", async () => {
    const run = await runCommand(["bounces", "-"], dsn(DELAYED));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("slow@gmail.com");
    expect(run.stdout).toContain("delayed: still being retried");
  });

  it("exits 0 for a delay notice in plain text", async () => {
    const raw = message(
      "From: MAILER-DAEMON@mx.example.net",
      "To: sender@example.com",
      "Subject: Delayed Mail (still being retried)",
      "Date: Thu, 05 Mar 2026 10:00:00 +0000",
      "",
      "Your message has not yet been delivered to the following recipient:",
      "",
      "<slow@example.org>: host mx.example.org[192.0.2.30] said: 451 4.3.0 Try again later",
    );
    const run = await runCommand(["bounces", "-", "--format", "json"], raw);
    const results = JSON.parse(run.stdout) as BounceResult[];
    expect(results.map((result) => result.action)).toEqual(["delayed"]);
    expect(run.code).toBe(0);
  });

  it("exits 1 when another recipient failed", async () => {
    const run = await runCommand(["bounces", "-"], dsn(DELAYED, UNKNOWN));
    expect(run.code).toBe(1);
  });
});

const TIMED_OUT = [
  "Final-Recipient: rfc822; far@example.org",
  "Action: delayed",
  "Status: 4.4.1",
  "Diagnostic-Code: smtp; 451 4.4.1 connect timed out",
];

describe("reasons of delayed recipients", () => {
  it("gives a timed-out delay networkerror", async () => {
    const [result] = await decode(dsn(TIMED_OUT));
    expect(result?.action).toBe("delayed");
    expect(result?.reason).toBe("networkerror");
  });

  it("keeps expired for the same failure", async () => {
    const failed = TIMED_OUT.map((field) => field.replace("delayed", "failed"));
    const [result] = await decode(dsn(failed));
    expect(result?.action).toBe("failed");
    expect(result?.reason).toBe("expired");
  });

  it("keeps the reply's reason for a delay", async () => {
    const [result] = await decode(dsn(DELAYED));
    expect(result?.reason).toBe("blocked");
  });

  it.each([
    ["4.4.7 without text", ["Status: 4.4.7"], "onhold"],
    ["4.0.0 without text", ["Status: 4.0.0"], "onhold"],
    ["4.4.0 without text", ["Status: 4.4.0"], "networkerror"],
    ["an expiry wording", ["Status: 4.4.7", "Diagnostic-Code: smtp; message expired"], "onhold"],
    [
      "a host not reachable",
      ["Status: 4.0.0", "Diagnostic-Code: smtp; Host not reachable"],
      "networkerror",
    ],
  ])("decides the reason of a delay with %s", async (_name, fields, reason) => {
    const group = ["Final-Recipient: rfc822; slow@example.org", "Action: delayed", ...fields];
    const [result] = await decode(dsn(group));
    expect(result?.reason).toBe(reason);
  });

  it("counts delays as retrying in the table", async () => {
    const run = await runCommand(["bounces", "-"], dsn(TIMED_OUT, DELAYED, UNKNOWN));
    const lines = run.stdout.split("\n");
    expect(lines).toContain(
      "reason            provider                recipients    hard  retrying",
    );
    const rows = lines.filter((line) => /^(?:networkerror|blocked|userunknown) /.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).at(-1))).toEqual(["1", "1", "0"]);
    expect(run.stdout).toContain(
      "retrying: the sending MTA is still retrying delivery to 2 recipients (Action\ndelayed)",
    );
    expect(run.stdout).not.toContain("expired");
  });

  it("marks delays as retrying in JSON", async () => {
    const input = dsn(TIMED_OUT, UNKNOWN);
    const plain = await runCommand(["bounces", "-", "--format", "json"], input);
    const results = JSON.parse(plain.stdout) as Record<string, unknown>[];
    expect(schemaValidator("bounces.schema.json")(results)).toEqual([]);
    expect(results.map((result) => result["retrying"])).toEqual([true, false]);
    expect(results.map((result) => result["reason"])).toEqual(["networkerror", "userunknown"]);

    const summary = await runCommand(["bounces", "-", "--format", "json", "--summary"], input);
    const output = JSON.parse(summary.stdout) as Record<string, unknown>;
    expect(schemaValidator("bounces.schema.json")(output)).toEqual([]);
    expect(output["retrying"]).toBe(1);
  });
});

describe("Action against Status", () => {
  it("follows Action failed over Status 2.0.0", async () => {
    const [result] = await decode(dsn(FAILED_SUCCESS));
    expect(result?.action).toBe("failed");
    expect(result?.status).toBe("2.0.0");
    expect(result?.reason).not.toBe("delivered");
    expect(result?.notes).toEqual([
      "Status 2.0.0 is a success code, but Action is failed, so the result follows the Action.",
    ]);
  });

  it("takes no reason from a success code", async () => {
    const group = [
      "Final-Recipient: rfc822; contra@example.org",
      "Action: failed",
      "Status: 2.1.5",
    ];
    const [result] = await decode(dsn(group));
    expect(result?.reason).not.toBe("userunknown");
    expect(result?.hardBounce).toBe(false);
  });

  it("follows Action delivered over Status 5.1.1", async () => {
    const group = [
      "Final-Recipient: rfc822; odd@example.org",
      "Action: delivered",
      "Status: 5.1.1",
    ];
    const [result] = await decode(dsn(group));
    expect(result?.reason).toBe("delivered");
    expect(result?.notes).toEqual([
      "Status 5.1.1 is a permanent failure code, but Action is delivered, so the result follows the Action.",
    ]);
  });

  it.each([
    ["failed after temporary errors", ["Action: failed", "Status: 4.4.7"]],
    ["failed permanently", ["Action: failed", "Status: 5.1.1"]],
    ["delayed", ["Action: delayed", "Status: 4.4.1"]],
    ["delivered", ["Action: delivered", "Status: 2.0.0"]],
  ])("adds no note when %s", async (_name, fields) => {
    const [result] = await decode(dsn(["Final-Recipient: rfc822; a@example.org", ...fields]));
    expect(result?.notes).toBeUndefined();
  });

  it("prints the note and exits 1", async () => {
    const run = await runCommand(["bounces", "-"], dsn(DELIVERED, FAILED_SUCCESS));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("note: Status 2.0.0 is a success code, but Action is failed");
    expect(run.stdout).not.toContain("contra@gmail.com  delivered");
  });

  it("writes the note in JSON that matches the schema", async () => {
    const run = await runCommand(
      ["bounces", "-", "--format", "json"],
      dsn(DELIVERED, FAILED_SUCCESS),
    );
    const results = JSON.parse(run.stdout) as BounceResult[];
    expect(schemaValidator("bounces.schema.json")(results)).toEqual([]);
    expect(results.map((result) => result.notes?.length ?? 0)).toEqual([0, 1]);
    expect(results.map((result) => result.reason === "delivered")).toEqual([true, false]);
  });
});
