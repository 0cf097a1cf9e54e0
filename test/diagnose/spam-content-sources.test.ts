import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { EximSyslogLog, mergeLogs, usualMail } from "../helpers/two-host-log.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

/** 2024-03-05 09:00 UTC, when Gmail starts rejecting mail as spam. */
const SPAM_START = T0 + 33 * HOUR;

/** Settings of `spamLog`. */
interface SpamLogOptions {
  /** Local users on mx2 that send the mail Gmail rejects, in turn. Default `news` alone. */
  readonly users?: readonly string[];
  /** Messages of carol on mx1 that Gmail also rejects as spam. Default 0. */
  readonly eximRejections?: number;
  /** Whether the log contains mx1's mail too. Default true. */
  readonly withMx1?: boolean;
}

/**
 * Builds a syslog file of Exim on mx1 and Postfix on mx2 from 2024-03-04 00:00 to 2024-03-05
 * 14:30 UTC, with the usual mail of `usualMail`. From 09:00 on 2024-03-05, Gmail rejects 29
 * messages that uid 33 on mx2 submits through `pickup`, one every 5 minutes, as likely
 * unsolicited mail.
 */
function spamLog(options: SpamLogOptions = {}): string {
  const { users = ["news"], eximRejections = 0, withMx1 = true } = options;
  const exim = new EximSyslogLog("mx1");
  const postfix = new PostfixLog("mx2");
  usualMail(postfix, exim, 39);
  for (let index = 0; index < 29; index++) {
    postfix.pickup({
      time: SPAM_START + index * 5 * 60_000,
      uid: 33,
      user: users[index % users.length] ?? "news",
      recipients: [{ address: `reader${index}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  for (let index = 0; index < eximRejections; index++) {
    exim.submit({
      time: SPAM_START + index * 7 * 60_000 + 1000,
      account: "carol",
      clientIp: "198.51.100.40",
      recipient: `friend${index}@gmail.com`,
      outcome: GMAIL_UNSOLICITED,
    });
  }
  return withMx1 ? mergeLogs(postfix, exim) : postfix.text();
}

function spamContent(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "spam-content");
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

describe("spam-content with one sender", () => {
  test("evidence names sender, origin and host", async () => {
    const evidence = evidenceOf(spamContent(await diagnoseText(spamLog())));

    expect(evidence["mainSender"]).toEqual({ sender: "news@example.com", replies: 29 });
    expect(evidence["mainHost"]).toEqual({ host: "mx2", replies: 29 });
    expect(evidence["mainOrigin"]).toEqual({
      kind: "local",
      account: null,
      uid: 33,
      localUser: "news",
      workingDirectory: null,
      description: "local user news, uid 33",
      replies: 29,
    });
  });

  test("summary names them once", async () => {
    const found = spamContent(await diagnoseText(spamLog()));

    expect(found?.summary).toContain(
      "All 29 replies to single recipients were about mail sent as news@example.com on mx2 by local user news, uid 33.",
    );
  });

  test("first fix starts with that mail", async () => {
    const found = spamContent(await diagnoseText(spamLog()));

    expect(found?.fix[0]).toBe(
      "Start with the mail sent as news@example.com on mx2 by local user news, uid 33, which got most of these replies: find out what sent it and whether its recipients asked for it, and stop it if they did not.",
    );
  });

  test("diagnosis matches the schema", async () => {
    const diagnosis = await diagnoseText(spamLog());

    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });
});

describe("spam-content with other rejections", () => {
  test("summary counts each part", async () => {
    const found = spamContent(await diagnoseText(spamLog({ eximRejections: 5 })));

    expect(found?.summary).toContain(
      "Of the 34 replies to single recipients, most were about mail sent as news@example.com (29) on mx2 (29) by local user news, uid 33 (29).",
    );
  });

  test("no main part among many senders", async () => {
    const found = spamContent(await diagnoseText(spamLog({ users: ["news", "shop", "blog"] })));
    const evidence = evidenceOf(found);

    expect(evidence["mainSender"]).toBeNull();
    expect(evidence["mainOrigin"]).toEqual(expect.objectContaining({ uid: 33, replies: 29 }));
    expect(found?.fix[0]).toMatch(/^Start with the mail on mx2 by local uid 33, which got most/);
  });
});

describe("spam-content of a one-host log", () => {
  test("text names no host", async () => {
    const found = spamContent(await diagnoseText(spamLog({ withMx1: false })));

    expect(evidenceOf(found)["mainHost"]).toEqual({ host: "mx2", replies: 29 });
    expect(found?.summary).toContain("were about mail sent as news@example.com by local user");
    expect(found?.fix[0]).not.toContain("mx2");
  });
});
