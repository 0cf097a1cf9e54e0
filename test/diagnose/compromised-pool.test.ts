import { describe, expect, test } from "vitest";
import {
  clientNetwork,
  clientNetworks,
} from "../../src/diagnose/findings/compromised-account-networks.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;
const DAY = 24 * HOUR;
/** 09:00 on the eighth day, after a week of light mail. */
const CAMPAIGN_START = T0 + 7 * DAY + 9 * HOUR;

/** Five client addresses in three networks, as a service with servers in three regions. */
const THREE_NETWORKS = [
  "192.0.2.130",
  "198.51.100.131",
  "203.0.113.132",
  "192.0.2.133",
  "198.51.100.134",
];

/** Five client addresses of one /24, as a sending service's pool. */
const POOL_IPS = ["192.0.2.130", "192.0.2.131", "192.0.2.132", "192.0.2.133", "192.0.2.134"];

function findingsOf(diagnosis: Diagnosis, id: Finding["id"]): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === id);
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

/**
 * Adds a week of light mail: anna@ and `otherAccount` send four single-recipient messages a
 * day each.
 */
function lightWeek(log: PostfixLog, otherAccount = "news@example.com"): void {
  for (let day = 0; day < 7; day++) {
    for (const hour of [9, 11, 14, 16]) {
      const time = T0 + day * DAY + hour * HOUR;
      log.submit({
        time,
        account: "anna@example.com",
        clientIp: "192.0.2.10",
        recipients: [{ address: `p${day}-${hour}@example.net` }],
      });
      log.submit({
        time: time + 5 * MINUTE,
        account: otherAccount,
        clientIp: "192.0.2.11",
        recipients: [{ address: `q${day}-${hour}@example.net` }],
      });
    }
  }
}

/**
 * Adds a campaign of `count` single-recipient messages as `account`, 12 seconds apart from `start`,
 * from `ips` in turn. The first `rejected` messages go to Gmail, which rejects them as spam.
 */
function campaign(
  log: PostfixLog,
  options: {
    account: string;
    ips: readonly string[];
    count: number;
    start?: number;
    rejected?: number;
  },
): void {
  const { account, ips, count, start = CAMPAIGN_START, rejected = 0 } = options;
  for (let index = 0; index < count; index++) {
    const outcome: Outcome = index < rejected ? GMAIL_UNSOLICITED : SENT;
    const domain = index < rejected ? "gmail.com" : "example.org";
    log.submit({
      time: start + index * 12_000,
      account,
      clientIp: ips[index % ips.length] ?? "",
      recipients: [{ address: `r${index}@${domain}`, outcome }],
    });
  }
}

/** Diagnoses a new account's campaign of 250 messages from `ips` after a week of light mail. */
async function newAccountCampaign(ips: readonly string[], rejected = 0): Promise<Diagnosis> {
  const log = new PostfixLog();
  lightWeek(log);
  campaign(log, { account: "newsletter@example.com", ips, count: 250, rejected });
  return diagnoseText(log.text());
}

describe("compromised-account and a sending service's pool", () => {
  test("new account's pool in one /24", async () => {
    const diagnosis = await newAccountCampaign(POOL_IPS);

    expect(findingsOf(diagnosis, "compromised-account")).toEqual([]);
    const spikes = findingsOf(diagnosis, "volume-spike");
    expect(spikes).toHaveLength(1);
    expect(evidenceOf(spikes[0])["topOrigins"]).toEqual([
      { name: "SASL account newsletter@example.com", recipients: 250 },
    ]);
  });

  test("pool with its own history in one /24", async () => {
    const log = new PostfixLog();
    lightWeek(log);
    const pool = Array.from({ length: 6 }, (_, index) => `192.0.2.${100 + index}`);
    campaign(log, { account: "news@example.com", ips: pool, count: 300 });
    const diagnosis = await diagnoseText(log.text());

    expect(findingsOf(diagnosis, "compromised-account")).toEqual([]);
    expect(findingsOf(diagnosis, "volume-spike")).toHaveLength(1);
  });

  test("pool in two networks", async () => {
    const ips = ["192.0.2.130", "192.0.2.131", "192.0.2.132", "198.51.100.133", "198.51.100.134"];
    const diagnosis = await newAccountCampaign(ips);

    expect(findingsOf(diagnosis, "compromised-account")).toEqual([]);
  });

  test("pool in one IPv6 /48", async () => {
    const ips = [1, 2, 3, 4, 5].map((subnet) => `2001:db8:5:${subnet}::1`);
    const diagnosis = await newAccountCampaign(ips);

    expect(findingsOf(diagnosis, "compromised-account")).toEqual([]);
  });

  test("three rejected IPv4 networks are stolen", async () => {
    const ips = ["192.0.2.130", "198.51.100.131", "203.0.113.132", "192.0.2.133", "198.51.100.134"];
    const found = findingsOf(await newAccountCampaign(ips, 250), "compromised-account");

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("critical");
    expect(found[0]?.title).toBe(
      "Account newsletter@example.com looks compromised: 250 messages from 5 new addresses in 3 networks",
    );
    expect(found[0]?.fix[0]).toMatch(/^Change the password of newsletter@example.com now/);
    expect(evidenceOf(found[0])["clientNetworks"]).toEqual([
      "192.0.2.0/24",
      "198.51.100.0/24",
      "203.0.113.0/24",
    ]);
  });

  test("five rejected IPv6 /48s are stolen", async () => {
    const ips = [1, 2, 3, 4, 5].map((site) => `2001:db8:${site}::1`);
    const found = findingsOf(await newAccountCampaign(ips, 250), "compromised-account");

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("critical");
    expect(evidenceOf(found[0])["clientNetworks"]).toEqual([
      "2001:db8:1::/48",
      "2001:db8:2::/48",
      "2001:db8:3::/48",
      "2001:db8:4::/48",
      "2001:db8:5::/48",
    ]);
  });

  test("one rejection keeps three networks critical", async () => {
    const found = findingsOf(await newAccountCampaign(THREE_NETWORKS, 1), "compromised-account");

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("critical");
    expect(evidenceOf(found[0])["clientSpread"]).toBe("spread");
  });

  test("accepted mail in three networks is a warning", async () => {
    const diagnosis = await newAccountCampaign(THREE_NETWORKS);
    const found = findingsOf(diagnosis, "compromised-account");

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("warning");
    expect(found[0]?.role).not.toBe("cause");
    expect(found[0]?.title).toBe(
      "Account newsletter@example.com sent 250 messages from 5 new addresses in 3 networks, " +
        "and receivers accepted its mail",
    );
    expect(found[0]?.summary).toContain(
      "Receivers accepted 250 of its 250 delivery attempts and rejected or deferred none",
    );
    expect(found[0]?.summary).not.toContain("dual-stack");
    expect(evidenceOf(found[0])["clientSpread"]).toBe("accepted-spread");
  });

  test("accepted mail in three networks asks first", async () => {
    const [found] = findingsOf(await newAccountCampaign(THREE_NETWORKS), "compromised-account");
    const fix = found?.fix ?? [];

    expect(fix[0]).toMatch(/^Ask the holder of newsletter@example.com whether/);
    expect(fix[1]).toMatch(/^If nobody does, treat the password as stolen: change it now/);
    expect(fix.some((step) => step.startsWith("Change the password"))).toBe(false);
    expect(fix.some((step) => step.startsWith("Delete its queued mail"))).toBe(false);
  });

  test("accepted pool reads as a burst", async () => {
    const text = renderDiagnosisText(await newAccountCampaign(THREE_NETWORKS), painter(false));

    expect(text).toContain("Burst started: ");
    expect(text).toContain("Last burst submission: ");
    expect(text).toContain("Submissions from new IPs: 250");
    expect(text).not.toContain("Abuse started");
    expect(text).not.toContain("Abusive submissions");
  });

  test("accepted pool needs no stopping", async () => {
    const { items } = (await newAccountCampaign(THREE_NETWORKS)).readiness;
    const found = items.find((item) => item.id === "cause-identified");
    const stopped = items.find((item) => item.id === "cause-stopped");

    expect(found?.status).toBe("not-checked");
    expect(stopped?.status).toBe("not-checked");
    expect(stopped?.detail).toMatch(/^Not applicable: no provider rejects or defers mail/);
  });

  test("dual-stack networks stay apart", async () => {
    const ips = ["203.0.113.20", "2001:db8:1::20", "192.0.2.30"];
    const [found] = findingsOf(await newAccountCampaign(ips), "compromised-account");

    expect(found?.severity).toBe("warning");
    expect(evidenceOf(found)["clientNetworks"]).toEqual([
      "192.0.2.0/24",
      "2001:db8:1::/48",
      "203.0.113.0/24",
    ]);
    expect(found?.summary).toContain(
      "An IPv4 and an IPv6 network may be one dual-stack server, but the log does not show",
    );
  });

  test("rejected pool is a critical cause", async () => {
    const diagnosis = await newAccountCampaign(POOL_IPS, 250);
    const found = findingsOf(diagnosis, "compromised-account");

    expect(found).toHaveLength(1);
    // A pool is a warning by itself, but Gmail rejected its mail as spam, and the cause is at
    // least as severe as that critical consequence.
    expect(findingsOf(diagnosis, "spam-content")[0]?.severity).toBe("critical");
    expect(found[0]?.severity).toBe("critical");
    expect(found[0]?.role).toBe("cause");
    expect(found[0]?.title).toBe(
      "Account newsletter@example.com sent 250 messages from 5 new addresses in 1 network, " +
        "and receivers rejected or deferred its mail",
    );
    expect(found[0]?.summary).toContain("These addresses lie in 192.0.2.0/24");
    expect(found[0]?.summary).toContain("rejected or deferred 250 of its 250 delivery attempts");
    // The log ends with the burst, so it still goes on and the fixes stop it first.
    expect(found[0]?.fix[0]).toMatch(/^Stop the sending first, because its rejected burst still/);
    // The Postfix log has no Dovecot line, so `doveadm` is named as one case only.
    expect(found[0]?.fix[0]).toContain(
      "end the sessions in the IMAP or SASL server that this host uses (with Dovecot: `doveadm",
    );
    expect(found[0]?.fix.some((step) => step.includes("Delete its queued mail"))).toBe(true);
    expect(evidenceOf(found[0])["clientNetworks"]).toEqual(["192.0.2.0/24"]);
    expect(renderDiagnosisText(diagnosis, painter(false))).toContain(
      "Their networks: 192.0.2.0/24",
    );
  });

  test.each([
    [24, 0],
    [25, 1],
  ])("pool with %i of 250 rejected gives %i findings", async (rejected, expected) => {
    const diagnosis = await newAccountCampaign(POOL_IPS, rejected);

    expect(findingsOf(diagnosis, "compromised-account")).toHaveLength(expected);
  });

  test("pool without a volume-spike is a warning", async () => {
    // Three hours of log are too few for volume-spike, which compares with an earlier day.
    const log = new PostfixLog();
    for (let hour = 6; hour < 9; hour++) {
      for (let index = 0; index < 4; index++) {
        log.submit({
          time: T0 + hour * HOUR + index * 10 * MINUTE,
          account: "anna@example.com",
          clientIp: "192.0.2.10",
          recipients: [{ address: `p${hour}-${index}@example.net` }],
        });
      }
    }
    campaign(log, {
      account: "newsletter@example.com",
      ips: POOL_IPS,
      count: 250,
      start: T0 + 9 * HOUR,
    });
    const diagnosis = await diagnoseText(log.text());
    const found = findingsOf(diagnosis, "compromised-account");

    expect(findingsOf(diagnosis, "volume-spike")).toEqual([]);
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("warning");
    expect(found[0]?.role).toBe("observation");
    expect(found[0]?.title).toBe(
      "Account newsletter@example.com sent 250 messages from 5 new addresses in 1 network, " +
        "and receivers accepted its mail",
    );
    expect(found[0]?.fix[0]).toMatch(/^Ask the holder of newsletter@example.com whether/);
    expect(found[0]?.fix.some((step) => step.startsWith("Delete its queued mail"))).toBe(false);
  });

  test("roaming user with one Bcc message", async () => {
    const log = new PostfixLog();
    lightWeek(log, "bob@example.com");
    for (let place = 0; place < 5; place++) {
      log.submit({
        time: CAMPAIGN_START + place * 20 * MINUTE,
        account: "bob@example.com",
        clientIp: `192.0.2.${120 + place}`,
        recipients: [{ address: `x${place}@example.net` }],
      });
    }
    log.submit({
      time: CAMPAIGN_START + 110 * MINUTE,
      account: "bob@example.com",
      clientIp: "192.0.2.124",
      recipients: Array.from({ length: 250 }, (_, index) => ({
        address: `m${index}@example.org`,
      })),
    });
    const diagnosis = await diagnoseText(log.text());

    expect(findingsOf(diagnosis, "compromised-account")).toEqual([]);
    expect(findingsOf(diagnosis, "volume-spike")).toHaveLength(1);
  });
});

/**
 * Diagnoses a new account's campaign of 250 messages from `POOL_IPS` that Gmail rejects, then
 * four hours of anna@'s mail, so that the burst ends well before the log does. `logins` adds a
 * Dovecot IMAP login of the account from each of those addresses during the campaign.
 */
async function endedPoolCampaign(logins: readonly string[] = []): Promise<Finding | undefined> {
  const log = new PostfixLog();
  lightWeek(log);
  campaign(log, { account: "newsletter@example.com", ips: POOL_IPS, count: 250, rejected: 250 });
  for (const [index, ip] of logins.entries()) {
    const stamp = new Date(CAMPAIGN_START + (index + 1) * MINUTE).toISOString();
    log.raw(
      CAMPAIGN_START + (index + 1) * MINUTE,
      `${stamp.replace("Z", "+00:00")} mail dovecot: imap-login: Login: user=<newsletter@example.com>, method=PLAIN, rip=${ip}, lip=192.0.2.10, mpid=${index + 1}, TLS`,
    );
  }
  for (let hour = 1; hour <= 4; hour++) {
    log.submit({
      time: CAMPAIGN_START + HOUR + hour * HOUR,
      account: "anna@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `later${hour}@example.net` }],
    });
  }
  return findingsOf(await diagnoseText(log.text()), "compromised-account")[0];
}

describe("compromised-account pool fix order", () => {
  test("ended pool burst asks first", async () => {
    const found = await endedPoolCampaign();

    expect(found?.fix[0]).toMatch(/^Ask the holder of newsletter@example.com whether/);
    expect(found?.fix.some((step) => step.startsWith("Put its queued mail"))).toBe(false);
  });

  test("mailbox logins stop the sending first", async () => {
    const found = await endedPoolCampaign(["192.0.2.131"]);
    const fix = found?.fix ?? [];

    expect(fix[0]).toMatch(
      /^Stop the sending first, because mailbox logins came from 1 of its new addresses/,
    );
    expect(fix[0]).toContain("change the password of newsletter@example.com now");
    expect(fix[1]).toMatch(/^Delete its queued mail, sent as newsletter@example.com/);
    expect(fix.join("\n")).not.toContain("Ask the holder");
    expect(fix.join("\n")).not.toContain("CRM");
  });

  test("mailbox logins lead the summary", async () => {
    const found = await endedPoolCampaign(["192.0.2.131"]);
    const summary = found?.summary ?? "";

    expect(summary).toMatch(
      /^A stolen password: Mailbox logins came from 192\.0\.2\.131, which a sending service does not make\. /,
    );
    expect(summary).toContain("such a service makes no mailbox logins.");
    expect(summary).not.toContain("likelier");
    expect(summary).not.toContain(" But ");
    expect(found?.title).toContain("the mailbox logins show a stolen password");
  });

  test("logins from every new address", async () => {
    const found = await endedPoolCampaign(POOL_IPS);
    const mentions = (found?.summary ?? "").split(POOL_IPS[0] ?? "").length - 1;

    expect(found?.summary).toContain(
      "Mailbox logins came from all the new addresses, which a sending service does not make",
    );
    expect(mentions).toBe(1);
  });

  test("accepted pool at the log's end asks first", async () => {
    // The log ends with the campaign, but receivers accepted all of it.
    const [found] = findingsOf(await newAccountCampaign(THREE_NETWORKS), "compromised-account");

    expect(found?.fix[0]).toMatch(/^Ask the holder of newsletter@example.com whether/);
  });
});

describe("clientNetwork", () => {
  test.each([
    ["192.0.2.130", "192.0.2.0/24"],
    ["203.0.113.7", "203.0.113.0/24"],
    ["2001:db8:5:1::1", "2001:db8:5::/48"],
    ["2001:DB8:5:ffff::9", "2001:db8:5::/48"],
    ["2001:db8::1", "2001:db8::/48"],
    ["::ffff:198.51.100.9", "198.51.100.0/24"],
    ["unknown", "unknown"],
    ["192.0.2", "192.0.2"],
  ])("%s is in %s", (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  test("clientNetworks removes repeats and sorts", () => {
    const addresses = ["203.0.113.9", "192.0.2.1", "192.0.2.200", "2001:db8:1::1", "2001:db8:1::2"];
    expect(clientNetworks(addresses)).toEqual([
      "192.0.2.0/24",
      "2001:db8:1::/48",
      "203.0.113.0/24",
    ]);
  });
});
