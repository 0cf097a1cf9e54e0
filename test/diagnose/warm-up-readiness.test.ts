import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { rampItem } from "../../src/diagnose/daily-volume-readiness.js";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles, diagnoseText } from "../helpers/diagnose-text.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const OUTLOOK_MX = "outlook-com.olc.protection.outlook.com[192.0.2.40]:25";
const EXO_MX = "example-org.mail.protection.outlook.com[192.0.2.41]:25";
const OTHER_MX = "mx.example.net[192.0.2.20]:25";
const OUTLOOK_RATE =
  "451 4.7.650 The mail server [203.0.113.8] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)";
const EXO_RESTRICTED = "451 4.7.500 Access denied, please try again later.";
const OUTLOOK_S3140 =
  "550 5.7.1 Unfortunately, messages from [203.0.113.8] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

/** One delivery of a generated log: its time, recipient, receiving host and reply. */
interface Delivery {
  readonly time: number;
  readonly to: string;
  readonly relay: string;
  /** The receiver's reply, or null for `250 2.0.0 Ok`. */
  readonly reply: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2024, 2, 4);

/** Returns the stamp and host of a Postfix line at `time` (epoch ms). */
function stamp(time: number): string {
  return `${new Date(time).toISOString().replace(".000Z", "+00:00")} mail`;
}

/** Writes a Postfix log that sends each delivery as a message of its own. */
function postfixLog(deliveries: readonly Delivery[], mtaStart: boolean): string {
  const lines = mtaStart
    ? [
        `${stamp(START + 5_000)} postfix/master[90]: daemon started -- version 3.6.4, configuration /etc/postfix`,
      ]
    : [];
  deliveries.forEach((delivery, index) => {
    const id = `${(0x10000000 + index).toString(16).toUpperCase()}A`;
    const status =
      delivery.reply === null
        ? "dsn=2.0.0, status=sent (250 2.0.0 Ok)"
        : `dsn=${delivery.reply.slice(4, 9)}, status=${delivery.reply.startsWith("4") ? "deferred" : "bounced"} (host ${delivery.relay.replace(/:25$/, "")} said: ${delivery.reply} (in reply to MAIL FROM command))`;
    lines.push(
      `${stamp(delivery.time)} postfix/pickup[100]: ${id}: uid=1000 from=<news>`,
      `${stamp(delivery.time)} postfix/qmgr[102]: ${id}: from=<news@example.com>, size=1000, nrcpt=1 (queue active)`,
      `${stamp(delivery.time + 1_000)} postfix/smtp[103]: ${id}: to=<${delivery.to}>, relay=${delivery.relay}, delay=1, delays=0/0/0/1, ${status}`,
    );
  });
  return lines.join("\n") + "\n";
}

/** Spreads `count` deliveries to example.net evenly over UTC day `day` of the log. */
function steadyDay(day: number, count: number): Delivery[] {
  return Array.from({ length: count }, (_, index) => ({
    time: START + day * DAY_MS + 60_000 + Math.floor((index * (DAY_MS - 120_000)) / count),
    to: `reader${day}-${index}@example.net`,
    relay: OTHER_MX,
    reply: null,
  }));
}

/** Builds `count` deliveries on day `day`, from 20:00 on, to `domain` through `relay`. */
function repliesOnDay(
  day: number,
  count: number,
  domain: string,
  relay: string,
  reply: string,
): Delivery[] {
  return Array.from({ length: count }, (_, index) => ({
    time: START + day * DAY_MS + 20 * 60 * 60 * 1000 + index * 60_000,
    to: `friend${day}-${index}@${domain}`,
    relay,
    reply,
  }));
}

/** Sorts deliveries by time, as a log lists them. */
function inOrder(deliveries: readonly Delivery[]): Delivery[] {
  return [...deliveries].sort((a, b) => a.time - b.time);
}

function volumeItem(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "volume-normal");
}

describe("readiness of a new IP warming up", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    // 20, 40, 80, 160 and 320 recipients a day, with Outlook.com and Exchange Online
    // deferrals on the last two days. The 9 deferred recipients of the last day count in its
    // volume too.
    const deliveries = [0, 1, 2, 3, 4].flatMap((day) => steadyDay(day, 20 * 2 ** day));
    for (const day of [3, 4]) {
      deliveries.push(...repliesOnDay(day, 6, "outlook.com", OUTLOOK_MX, OUTLOOK_RATE));
      deliveries.push(...repliesOnDay(day, 3, "example.org", EXO_MX, EXO_RESTRICTED));
    }
    diagnosis = await diagnoseText(postfixLog(inOrder(deliveries), true));
  });

  test("finds the new IP and the ramp", () => {
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(ids).toContain("new-ip");
    expect(ids).toContain("volume-spike");
  });

  test("lists no removal form", () => {
    expect(diagnosis.providers.outlook?.status).toBe("rate-limited");
    expect(diagnosis.providers["exchange-online"]?.status).toBe("rate-limited");
    expect(diagnosis.readiness.removalForms).toEqual([]);
  });

  test("summary says to keep warming up", () => {
    const summary = diagnosis.readiness.summary;

    expect(diagnosis.readiness.ready).toBe(false);
    expect(summary).toMatch(/^Slow down and keep warming up\. No removal request is needed yet/);
    expect(summary).toContain("Outlook.com and Exchange Online defer mail only with temporary");
    expect(summary).not.toContain("The checked items are ready");
  });

  test("summary leaves out items that do not apply", () => {
    const causeStopped = diagnosis.readiness.items.find((item) => item.id === "cause-stopped");

    expect(causeStopped?.status).toBe("not-checked");
    expect(diagnosis.readiness.summary).toContain("Still open or to check: ");
    expect(diagnosis.readiness.summary).not.toContain("cause stopped");
  });

  test("volume item names the ramp", () => {
    expect(volumeItem(diagnosis)?.status).toBe("fail");
    expect(volumeItem(diagnosis)?.detail).toContain(
      "Daily outbound volume grew from 20 to 329 recipients in 5 UTC days (volume-spike)",
    );
    expect(volumeItem(diagnosis)?.detail).not.toContain("No volume burst");
  });
});

describe("readiness of temporary Microsoft limits", () => {
  /** Builds two steady days with `replies` on the second. */
  function steadyLog(replies: readonly Delivery[]): string {
    return postfixLog(inOrder([...steadyDay(0, 48), ...steadyDay(1, 48), ...replies]), false);
  }

  test("rate limits alone get no form", async () => {
    const diagnosis = await diagnoseText(
      steadyLog([
        ...repliesOnDay(1, 6, "outlook.com", OUTLOOK_MX, OUTLOOK_RATE),
        ...repliesOnDay(1, 3, "example.org", EXO_MX, EXO_RESTRICTED),
      ]),
    );

    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("new-ip");
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.summary).toMatch(/^Slow down\. No removal request is needed yet/);
    expect(diagnosis.readiness.summary).toContain("which lift when the traffic looks fine");
  });

  test("S3140 listing keeps its form", async () => {
    const diagnosis = await diagnoseText(
      steadyLog(repliesOnDay(1, 6, "outlook.com", OUTLOOK_MX, OUTLOOK_S3140)),
    );
    const providers = diagnosis.readiness.removalForms.map((form) => form.provider);

    expect(providers).toEqual(["outlook"]);
    expect(diagnosis.readiness.summary).not.toContain("Slow down");
  });

  test("text lists no removal command", async () => {
    const log = steadyLog(repliesOnDay(1, 6, "outlook.com", OUTLOOK_MX, OUTLOOK_RATE));
    const run = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(log)]);

    expect(run.stdout).toContain("Slow down. No removal request is needed yet");
    expect(run.stdout).not.toContain("delist removal request");
    expect(run.stdout).not.toContain("https://olcsupport.office.com/");
  });
});

describe("volume item of a ramp", () => {
  const ramp = [
    { day: "2024-03-04", recipients: 100 },
    { day: "2024-03-05", recipients: 200 },
    { day: "2024-03-06", recipients: 400 },
    { day: "2024-03-07", recipients: 800 },
  ];

  test("fails while far above the start", () => {
    const item = rampItem(ramp);

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("2024-03-07, the last whole day, sent 800");
  });

  test("passes once back near the start", () => {
    const item = rampItem([...ramp, { day: "2024-03-08", recipients: 120 }]);

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("close to the 100 of 2024-03-04");
  });

  test("empty ramp gives no item", () => {
    expect(rampItem([])).toBeNull();
  });
});

describe("volume item of steady bulk mail", () => {
  test("names the high volume", async () => {
    // 6,000 recipients spread evenly over one day, then one more quiet day: no burst.
    const log = postfixLog([...steadyDay(0, 6000), ...steadyDay(1, 5200)], false);
    const diagnosis = await diagnoseText(log);
    const item = volumeItem(diagnosis);

    expect(diagnosis.findings.map((finding) => finding.id)).toContain("high-volume");
    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("The volume is high but steady (high-volume)");
    expect(item?.detail).toContain("up to 6,000 recipients a day");
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("scenario 05: new IP warm-up", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    const path = join(corpusPath(root ?? "", "logs", "scenarios"), "05-new-ip-warmup-postfix.log");
    diagnosis = await diagnoseFiles([path]);
  });

  test("volume item agrees with the ramp", () => {
    expect(diagnosis.findings.map((finding) => finding.id)).toContain("volume-spike");
    expect(volumeItem(diagnosis)?.status).toBe("fail");
    expect(volumeItem(diagnosis)?.detail).toContain("grew from 77 to 1,022 recipients");
  });

  test("ramp title groups thousands", () => {
    const titles = diagnosis.findings.map((finding) => finding.title);
    expect(titles).toContain("Daily outbound volume grew from 77 to 1,022 recipients in 6 days");
  });

  test("lists no removal form", () => {
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.ready).toBe(false);
  });

  test("summary says to keep warming up", () => {
    expect(diagnosis.readiness.summary).toMatch(/^Slow down and keep warming up\./);
    expect(diagnosis.readiness.summary).not.toContain("The checked items are ready");
  });
});
