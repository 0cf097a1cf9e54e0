import { beforeAll, describe, expect, test } from "vitest";
import { finding } from "../../src/diagnose/findings/build.js";
import { withOwnListCheck } from "../../src/diagnose/own-block-lists.js";
import type {
  Diagnosis,
  Finding,
  ProviderVerdict,
  ReadinessItem,
} from "../../src/diagnose/types.js";
import { ruleById } from "../../src/knowledge/rules/index.js";
import { buildDiagnosis } from "../../src/diagnose/diagnose.js";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import type { BlocklistReport } from "../../src/reputation/index.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { scriptWeekLog } from "./script-week-log.js";

/** The sentence on S3150 that the rule, the finding and the removal form all give. */
const RANGE_ADVICE = "only the hosting provider, who owns the range, can get it delisted";

describe("readiness for Outlook.com's own block list", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(scriptWeekLog());
  });

  function blocklistsItem(): ReadinessItem | undefined {
    return diagnosis.readiness.items.find((item) => item.id === "blocklists");
  }

  test("item suggests no DNS block list check", () => {
    const detail = blocklistsItem()?.detail ?? "";

    expect(blocklistsItem()?.status).toBe("fail");
    expect(detail).not.toContain("delist blocklists");
    expect(detail).toContain(
      "Outlook.com lists the IP on its own block list, which no DNS block list shows.",
    );
  });

  test("item suggests a probe and SNDS", () => {
    const detail = blocklistsItem()?.detail ?? "";

    expect(detail).toContain(
      "a probe to an Outlook.com mailbox (`delist probe --to MAILBOX --source-ip 203.0.113.10`)",
    );
    expect(detail).toContain(
      "Microsoft SNDS (https://sendersupport.olc.protection.outlook.com/snds/)",
    );
    expect(detail).toContain("Replace MAILBOX with the address of such a mailbox");
  });

  test("finding fix sends S3150 to the hosting provider", () => {
    const fixes = diagnosis.findings.find((entry) => entry.id === "ip-blocklisted")?.fix ?? [];
    const outlook = fixes.find((fix) => fix.includes("S3150"));

    expect(outlook).toContain(RANGE_ADVICE);
    expect(outlook).toContain("https://olcsupport.office.com/");
    expect(fixes.join("\n")).not.toContain("Ask Outlook.com for delisting");
  });

  test("removal form names the range", () => {
    const form = diagnosis.readiness.removalForms.find((entry) => entry.provider === "outlook");

    expect(form?.rule).toContain(RANGE_ADVICE);
    expect(form?.rule).toContain("Open one request per IP with the exact reply text");
  });

  test("explain rule agrees with diagnose", () => {
    const fix = ruleById("outlook.range-blocklist")?.fix.join(" ") ?? "";

    expect(fix).toContain(RANGE_ADVICE);
    expect(fix).toContain("Outlook.com sender support form");
  });
});

/**
 * Diagnoses the script week as a run with DNS look-ups would, with a blocklist report whose
 * readiness item has `status` and `detail`.
 */
async function diagnoseWithBlocklists(
  status: ReadinessItem["status"],
  detail: string,
): Promise<Diagnosis> {
  const file = writeTemporaryLog(scriptWeekLog());
  const timeZone = resolveTimeZone("UTC");
  const blocklists: BlocklistReport = {
    targets: [],
    lists: [],
    results: [],
    notices: [],
    finding: null,
    trapFinding: null,
    readiness: { id: "blocklists", title: "Not on the major blocklists", status, detail },
    unreachable: false,
  };
  try {
    const run = await analyseLogs([file.path], { timeZone, year: undefined });
    return buildDiagnosis(run.facts, {
      input: inputReport(run, timeZone),
      timeZone,
      version: "test",
      now: 0,
      blocklists,
    });
  } finally {
    file.remove();
  }
}

describe("blocklists item from DNS look-ups", () => {
  test("still names the own list", async () => {
    const diagnosis = await diagnoseWithBlocklists("pass", "Not listed on Spamhaus ZEN.");
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocklists");

    expect(item?.detail).toMatch(/^Not listed on Spamhaus ZEN\. Outlook\.com lists the IP/);
    expect(item?.detail).toContain("`delist probe --to MAILBOX --source-ip 203.0.113.10`");
  });

  test.each([
    ["pass", "Not listed on Spamhaus ZEN."],
    ["not-checked", "Could not check: 203.0.113.10 on spamhaus-zen."],
  ] as const)("stays open after %s look-ups", async (status, detail) => {
    const diagnosis = await diagnoseWithBlocklists(status, detail);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocklists");

    expect(item?.status).toBe("fail");
    expect(diagnosis.readiness.summary).toMatch(/Still open: .*the IP is on a blocklist\./);
  });
});

/** Builds an `ip-blocklisted` finding with the given own lists and public-list replies. */
function listedFinding(ownLists: readonly string[], publicListReplies: number): Finding {
  return finding("ip-blocklisted", {
    severity: "critical",
    role: "cause",
    title: "Receivers list this server's IP",
    summary: "",
    evidence: { ips: ["192.0.2.10"], ownLists, publicListReplies },
    fix: [],
  });
}

const LOG_ITEM: ReadinessItem = {
  id: "blocklists",
  title: "Not on the major blocklists",
  status: "fail",
  detail:
    "Receivers rejected or deferred mail for this (ip-blocklisted); fix it, then confirm with `delist blocklists 192.0.2.10`.",
};

describe("withOwnListCheck", () => {
  test("public list keeps the blocklists command", () => {
    const item = withOwnListCheck(LOG_ITEM, [listedFinding(["yahoo"], 3)], "logs", {});

    expect(item.detail).toContain("`delist blocklists 192.0.2.10`");
    expect(item.detail).toContain("Yahoo/AOL lists the IP on its own block list");
    expect(item.detail).toContain("a probe to a Yahoo/AOL mailbox");
    expect(item.detail).not.toContain("SNDS");
  });

  test("several providers get one sentence", () => {
    const item = withOwnListCheck(LOG_ITEM, [listedFinding(["outlook", "yahoo"], 0)], "logs", {});

    expect(item.detail).toContain(
      "Outlook.com and Yahoo/AOL list the IP on their own block lists, which no DNS block list shows.",
    );
    expect(item.detail).toContain("a probe to a mailbox of each");
    expect(item.detail).not.toContain("delist blocklists");
  });

  test("DNS item fails with its detail", () => {
    const dns: ReadinessItem = {
      id: "blocklists",
      title: "Not on the major blocklists",
      status: "pass",
      detail: "Not listed on Spamhaus ZEN.",
    };
    const item = withOwnListCheck(dns, [listedFinding(["outlook"], 0)], "dns", {});

    expect(item.status).toBe("fail");
    expect(item.detail).toMatch(/^Not listed on Spamhaus ZEN\. Outlook\.com lists the IP/);
    expect(item.detail).toContain("Microsoft SNDS");
  });

  test("other items stay unchanged", () => {
    const other: ReadinessItem = { ...LOG_ITEM, id: "ptr" };

    expect(withOwnListCheck(other, [listedFinding(["outlook"], 0)], "dns", {})).toBe(other);
  });

  test("lifted provider keeps DNS status", () => {
    const dns: ReadinessItem = {
      id: "blocklists",
      title: "Not on the major blocklists",
      status: "pass",
      detail: "Not listed on Spamhaus ZEN.",
    };
    const item = withOwnListCheck(dns, [listedFinding(["outlook"], 0)], "dns", {
      outlook: liftedVerdict("Outlook.com"),
    });

    expect(item.status).toBe("pass");
    expect(item.detail).toBe(
      "Not listed on Spamhaus ZEN. Outlook.com accepts mail again since its last block reply at 2026-03-11T10:55:01Z, so its own block list no longer stops mail from the IP.",
    );
  });

  test("lifted provider leaves the others", () => {
    const item = withOwnListCheck(LOG_ITEM, [listedFinding(["outlook", "yahoo"], 0)], "logs", {
      outlook: liftedVerdict("Outlook.com"),
    });

    expect(item.status).toBe("fail");
    expect(item.detail).toContain("Yahoo/AOL lists the IP on its own block list");
    expect(item.detail).not.toContain("Outlook.com lists");
    expect(item.detail).not.toContain("SNDS");
    expect(item.detail).toContain("Outlook.com accepts mail again since");
  });

  test("public lists only leave the item", () => {
    expect(withOwnListCheck(LOG_ITEM, [listedFinding([], 4)], "logs", {})).toBe(LOG_ITEM);
  });
});

/** Builds the verdict of a provider that lifted its block after a last block reply at 10:55:01. */
function liftedVerdict(name: string): ProviderVerdict {
  return {
    name,
    status: "ok",
    lastBlock: { time: "2026-03-11T10:55:01Z" },
    pastBlock: {
      status: "blocked",
      deliveredAfter: 6,
      lastDelivery: "2026-03-11T18:00:01Z",
    },
  } as Partial<ProviderVerdict> as ProviderVerdict;
}
