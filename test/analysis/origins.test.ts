import { describe, expect, test } from "vitest";
import { OriginAnalyser } from "../../src/analysis/origins.js";
import type { LoggedMessage } from "../../src/logs/events.js";

function message(account: string, time: number): LoggedMessage {
  return {
    mta: "postfix",
    host: "mail",
    instance: "postfix",
    id: `Q${time}`,
    firstTime: time,
    firstPosition: { file: "mail.log", line: 1 },
    sender: account,
    messageId: null,
    sizeBytes: null,
    recipientCount: null,
    subject: null,
    clientIp: "198.51.100.7",
    clientHost: null,
    helo: null,
    saslUsername: account,
    localUser: null,
    uid: null,
    workingDirectory: null,
    command: null,
    script: null,
    service: "submission/smtpd",
    isBounce: false,
    analysisState: null,
  };
}

describe("OriginAnalyser", () => {
  test("drops quiet accounts past the cap", () => {
    const origins = new OriginAnalyser();
    for (let i = 0; i < 60_000; i++) {
      const parts = origins.partsFor(message(`user${i}@example.com`, i));
      expect(parts.origin).not.toBeNull();
    }
    const late = message("victim@example.com", 70_000);
    for (let i = 0; i < 3; i++) {
      const parts = origins.partsFor(late);
      origins.addMessage(
        {
          analyser: origins,
          message: late,
          ...parts,
          host: null,
          volumeHour: null,
          sender: null,
          senderDomain: null,
          counted: false,
          deferred: null,
          deferredRows: null,
          forwarded: false,
        },
        70_000 + i,
      );
    }
    expect(origins.droppedOrigins.count).toBeGreaterThan(0);
    expect(origins.accounts.size).toBeLessThanOrEqual(50_000);
    expect(origins.accounts.get("victim@example.com")?.messages).toBe(3);
  });
});

/** Builds a local submission through Postfix's pickup by `uid`, whose `from=` named `sender`. */
function pickup(uid: number, sender: string, time: number): LoggedMessage {
  return {
    ...message(sender, time),
    sender,
    clientIp: null,
    saslUsername: null,
    localUser: sender,
    uid,
    service: "pickup",
  };
}

describe("local user of a uid", () => {
  test("one name is kept", () => {
    const origins = new OriginAnalyser();
    origins.partsFor(pickup(1001, "orders", 1));
    origins.partsFor(pickup(1001, "orders", 2));
    expect(origins.localSources.get("uid 1001")?.localUser).toBe("orders");
  });

  test("two names are forgotten", () => {
    const origins = new OriginAnalyser();
    origins.partsFor(pickup(1001, "orders", 1));
    origins.partsFor(pickup(1001, "news", 2));
    origins.partsFor(pickup(1001, "orders", 3));
    const source = origins.localSources.get("uid 1001");
    expect(source?.uid).toBe(1001);
    expect(source?.localUser).toBeNull();
  });
});

/** Builds a message that the Unix user `localUser` (uid `uid`, when logged) submitted here. */
function localMessage(localUser: string | null, uid: number | null, time: number): LoggedMessage {
  return {
    ...message("", time),
    sender: localUser,
    clientIp: null,
    saslUsername: null,
    localUser,
    uid,
    service: "local",
  };
}

describe("OriginAnalyser local users", () => {
  test("user name alone joins its uid's row", () => {
    const origins = new OriginAnalyser();
    const withUid = origins.partsFor(localMessage("root", 0, 1)).origin;
    const nameOnly = origins.partsFor(localMessage("root", null, 2)).origin;

    expect(nameOnly).toBe(withUid);
    expect([...origins.localSources.keys()]).toEqual(["uid 0"]);
  });

  test("earlier name-only row moves to the uid", () => {
    const origins = new OriginAnalyser();
    const nameOnly = origins.partsFor(localMessage("root", null, 1)).origin;
    const withUid = origins.partsFor(localMessage("root", 0, 2)).origin;

    expect(withUid).toBe(nameOnly);
    expect([...origins.localSources.keys()]).toEqual(["uid 0"]);
    expect(withUid?.key).toBe("uid 0");
    expect(withUid?.uid).toBe(0);
  });

  test("other users keep their own rows", () => {
    const origins = new OriginAnalyser();
    origins.partsFor(localMessage("root", 0, 1));
    origins.partsFor(localMessage("www-data", null, 2));
    origins.partsFor(localMessage(null, 33, 3));

    expect([...origins.localSources.keys()].sort()).toEqual(["uid 0", "uid 33", "user www-data"]);
  });
});
