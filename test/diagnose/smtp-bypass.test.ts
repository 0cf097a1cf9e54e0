import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const validate = schemaValidator("diagnose.schema.json");
const MINUTE = 60_000;

const temporary = temporaryFiles();

/** Writes a day of mail, one message every ten minutes, and one web form message of uid 33. */
function mailLog(): string {
  const log = new PostfixLog("mx1");
  for (let minute = 0; minute < 24 * 60; minute += 10) {
    log.submit({
      time: T0 + minute * MINUTE,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${minute}@example.net` }],
    });
  }
  log.pickup({
    time: T0 + HOUR,
    uid: 33,
    user: "www-data",
    recipients: [{ address: "owner@example.net" }],
  });
  return temporary.file(log.text(), "mail.log");
}

/** Formats the netfilter LOG line of a connection to port 25 at `time`. */
function connection(
  time: number,
  options: { uid?: number; port: number; prefix?: string; destination?: string },
): string {
  const stamp = new Date(time).toISOString().replace("Z", "+00:00");
  const uid = options.uid === undefined ? "" : ` UID=${options.uid} GID=${options.uid}`;
  return (
    `${stamp} mx1 kernel: [ 100.000001] ${options.prefix ?? "SMTP-OUT:"} IN= OUT=eth0 ` +
    `SRC=203.0.113.10 DST=${options.destination ?? "192.0.2.27"} LEN=60 TOS=0x00 PREC=0x00 ` +
    `TTL=64 ID=1 DF PROTO=TCP SPT=${options.port} DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0${uid}`
  );
}

/** Returns the MTA's own connections: one per message, as uid 108. */
function mtaConnections(): string[] {
  const lines: string[] = [];
  for (let minute = 0; minute < 24 * 60; minute += 10) {
    lines.push(connection(T0 + minute * MINUTE + 900, { uid: 108, port: 30000 + minute }));
  }
  return lines;
}

interface BypassFinding {
  id: string;
  severity: string;
  role: string;
  evidence: {
    firewallConnections: number;
    mtaAttempts: number;
    bypassConnections: number;
    blockedConnections: number;
    connectionsOutsideMailLog: number;
    retransmissionsIgnored: number;
    origins: Array<{
      uid: number | null;
      isMta: boolean;
      localUser: string | null;
      connections: number;
    }>;
  };
}

async function diagnose(kernelLines: string[]): Promise<BypassFinding | undefined> {
  const kernLog = temporary.file(`${kernelLines.join("\n")}\n`, "kern.log");
  const result = await runCommand([
    "diagnose",
    mailLog(),
    kernLog,
    "--offline",
    "--timezone",
    "UTC",
    "--format",
    "json",
  ]);
  const json = JSON.parse(result.stdout) as { findings: BypassFinding[] };
  expect(validate(json)).toEqual([]);
  return json.findings.find((finding) => finding.id === "smtp-bypass");
}

describe("smtp-bypass finding", () => {
  test("MTA's own connections are fine", async () => {
    expect(await diagnose(mtaConnections())).toBeUndefined();
  });

  test("script connections are found", async () => {
    const script: string[] = [];
    // 600 connections from uid 33 within one hour, none of them in the mail log.
    for (let index = 0; index < 600; index++) {
      const time = T0 + 12 * HOUR + index * 6000;
      script.push(connection(time, { uid: 33, port: 40000 + index }));
    }
    const finding = await diagnose([...mtaConnections(), ...script]);
    expect(finding?.severity).toBe("critical");
    // Every message in the mail log is delivered, so there is no block for it to cause.
    expect(finding?.role).toBe("observation");
    expect(finding?.evidence.firewallConnections).toBe(144 + 600);
    // One delivery per ten minutes and the web form's message.
    expect(finding?.evidence.mtaAttempts).toBe(144 + 1);
    // uid 33 submitted mail through pickup, so none of its connections are the MTA's.
    expect(finding?.evidence.bypassConnections).toBe(600);
    const [top, mta] = finding?.evidence.origins ?? [];
    expect(top?.uid).toBe(33);
    expect(top?.localUser).toBe("www-data");
    expect(top?.connections).toBe(600);
    expect(top?.isMta).toBe(false);
    expect(mta?.uid).toBe(108);
    expect(mta?.isMta).toBe(true);
  });

  test("retransmitted SYNs count once", async () => {
    const script: string[] = [];
    for (let index = 0; index < 100; index++) {
      const time = T0 + 12 * HOUR + index * 5000;
      for (const resend of [0, 1000, 3000, 7000]) {
        script.push(connection(time + resend, { uid: 33, port: 40000 + index }));
      }
    }
    const finding = await diagnose([...mtaConnections(), ...script]);
    expect(finding?.id).toBe("smtp-bypass");
    expect(finding?.evidence.retransmissionsIgnored).toBe(300);
    expect(finding?.evidence.firewallConnections).toBe(144 + 100);
  });

  test("blocked attempts give a warning", async () => {
    const blocked: string[] = [];
    for (let index = 0; index < 30; index++) {
      const time = T0 + 6 * HOUR + index * 60_000;
      blocked.push(connection(time, { port: 45000 + index, prefix: "[UFW BLOCK]" }));
    }
    const finding = await diagnose([...mtaConnections(), ...blocked]);
    expect(finding?.severity).toBe("warning");
    expect(finding?.role).toBe("observation");
    expect(finding?.evidence.blockedConnections).toBe(30);
    expect(finding?.evidence.bypassConnections).toBe(0);
  });

  test("steady unknown uid is found", async () => {
    // A rule that logs all but the MTA: one connection an hour from uid 1001, far below
    // a quarter of the MTA's attempts.
    const steady: string[] = [];
    for (let hour = 0; hour < 24; hour++) {
      steady.push(connection(T0 + hour * HOUR + 300_000, { uid: 1001, port: 41000 + hour }));
    }
    const finding = await diagnose(steady);
    expect(finding?.severity).toBe("critical");
    expect(finding?.evidence.bypassConnections).toBe(24);
    expect(finding?.evidence.origins[0]?.isMta).toBe(false);
  });

  test("second uid like the MTA is found", async () => {
    // uid 1001 opens one connection for every two of the MTA's, spread like the MTA's own.
    const lines = mtaConnections();
    for (let minute = 0; minute < 24 * 60; minute += 20) {
      lines.push(connection(T0 + minute * MINUTE + 2000, { uid: 1001, port: 42000 + minute }));
    }
    const finding = await diagnose(lines);
    expect(finding?.evidence.bypassConnections).toBe(72);
    const uid1001 = finding?.evidence.origins.find((origin) => origin.uid === 1001);
    expect(uid1001?.isMta).toBe(false);
  });

  test("busier script is not the MTA", async () => {
    // uid 33 opens two connections for each of the MTA's, still within the allowance.
    const lines = mtaConnections();
    for (let minute = 0; minute < 24 * 60; minute += 5) {
      lines.push(connection(T0 + minute * MINUTE + 3000, { uid: 1002, port: 43000 + minute }));
    }
    const finding = await diagnose(lines);
    const byUid = new Map(finding?.evidence.origins.map((origin) => [origin.uid, origin]));
    expect(byUid.get(108)?.isMta).toBe(true);
    expect(byUid.get(1002)?.isMta).toBe(false);
    expect(finding?.evidence.bypassConnections).toBe(288);
  });

  test("bypass prefix is never the MTA", async () => {
    // A rule that logs only other users, with the prefix the finding's fix suggests.
    const lines: string[] = [];
    for (let minute = 0; minute < 24 * 60; minute += 10) {
      const time = T0 + minute * MINUTE + 3000;
      lines.push(connection(time, { uid: 1003, port: 44000 + minute, prefix: "SMTP-BYPASS:" }));
    }
    const finding = await diagnose(lines);
    expect(finding?.evidence.bypassConnections).toBe(144);
    expect(finding?.evidence.origins[0]?.isMta).toBe(false);
  });

  test("burst without uids counts the excess", async () => {
    const lines = mtaConnections().map((line) => line.replace(/ UID=\d+ GID=\d+$/, ""));
    for (let index = 0; index < 600; index++) {
      lines.push(connection(T0 + 12 * HOUR + index * 6000, { port: 40000 + index }));
    }
    const finding = await diagnose(lines);
    // Six buckets of 100 burst connections and the MTA's one, each 13 allowed.
    expect(finding?.evidence.bypassConnections).toBe(6 * (101 - 13));
    expect(finding?.evidence.origins[0]?.uid).toBeNull();
    expect(finding?.evidence.origins[0]?.isMta).toBe(true);
  });

  test("connections outside the mail log are left out", async () => {
    const later: string[] = [];
    for (let index = 0; index < 300; index++) {
      later.push(connection(T0 + 30 * HOUR + index * 1000, { uid: 33, port: 40000 + index }));
    }
    expect(await diagnose([...mtaConnections(), ...later])).toBeUndefined();
  });
});
