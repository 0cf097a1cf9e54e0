import { afterEach, describe, expect, it } from "vitest";
import { checkBlocklists, type BlocklistOptions } from "../../src/reputation/index.js";
import type { BlocklistReport } from "../../src/reputation/report.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { fakeListsHandler, serverContext, type ZoneBehaviour } from "./fake-lists.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function run(
  zones: Record<string, ZoneBehaviour>,
  targets: string[],
  options: BlocklistOptions,
  rewriteNxdomain = false,
): Promise<BlocklistReport> {
  server = await startDnsServer(fakeListsHandler(zones, rewriteNxdomain));
  const dns = serverContext(server);
  try {
    return await checkBlocklists({ ips: targets, domains: [] }, dns, options);
  } finally {
    await dns.close();
  }
}

function statuses(report: BlocklistReport): string[][] {
  return report.results.map((result) => [result.target, result.list, result.status]);
}

describe("blocklist failure modes", () => {
  it("reads a listing and a clean address", async () => {
    const report = await run(
      {
        "zen.spamhaus.org": {
          kind: "normal",
          listed: { "25.2.0.192": ["127.0.0.2", "127.0.0.10"] },
        },
      },
      ["192.0.2.25", "192.0.2.26"],
      { lists: ["spamhaus-zen"] },
    );
    expect(statuses(report)).toEqual([
      ["192.0.2.25", "spamhaus-zen", "listed"],
      ["192.0.2.26", "spamhaus-zen", "not-listed"],
    ]);
    const [listed] = report.results;
    expect(listed?.meaning).toContain("SBL");
    expect(listed?.meaning).toContain("PBL");
    expect(listed?.codes).toEqual(["127.0.0.2", "127.0.0.10"]);
    expect(listed?.delisting).toBe("https://check.spamhaus.org/");
    expect(report.lists[0]?.health).toBe("usable");
    expect(report.notices).toEqual([]);
  });

  for (const code of ["127.255.255.252", "127.255.255.254", "127.255.255.255"]) {
    it(`takes Spamhaus ${code} as a refusal`, async () => {
      const report = await run(
        { "zen.spamhaus.org": { kind: "error-code", code } },
        ["192.0.2.25"],
        { lists: ["spamhaus-zen"] },
      );
      expect(statuses(report)).toEqual([["192.0.2.25", "spamhaus-zen", "refused"]]);
      expect(report.results[0]?.codes).toEqual([code]);
      expect(report.lists[0]?.health).toBe("refused");
      expect(report.finding).toBeNull();
      expect(report.readiness.status).toBe("not-checked");
    });
  }

  it("tells what to do when Spamhaus refuses the resolver", async () => {
    const report = await run(
      { "zen.spamhaus.org": { kind: "error-code", code: "127.255.255.254" } },
      ["192.0.2.25"],
      { lists: ["spamhaus-zen"] },
    );
    const notice = report.notices.find((n) => n.kind === "spamhaus-refused");
    expect(notice?.message).toContain("127.255.255.254");
    expect(notice?.advice).toContain("--spamhaus-dqs-key");
    expect(notice?.advice).toContain("--resolver");
  });

  it("refuses an error code on a listed target", async () => {
    const report = await run(
      {
        "zen.spamhaus.org": {
          kind: "normal",
          listed: { "25.2.0.192": ["127.255.255.255"] },
        },
      },
      ["192.0.2.25"],
      { lists: ["spamhaus-zen"] },
    );
    expect(statuses(report)).toEqual([["192.0.2.25", "spamhaus-zen", "refused"]]);
    expect(report.notices.map((n) => n.kind)).toEqual(["spamhaus-over-quota"]);
  });

  it("never takes URIBL's 127.0.0.1 as a listing", async () => {
    server = await startDnsServer(
      fakeListsHandler({ "multi.uribl.com": { kind: "wildcard", code: "127.0.0.1" } }),
    );
    const dns = serverContext(server);
    const report = await checkBlocklists({ ips: [], domains: ["example.com"] }, dns, {
      lists: ["uribl-multi"],
    });
    expect(statuses(report)).toEqual([["example.com", "uribl-multi", "refused"]]);
    expect(report.results[0]?.meaning).toContain("refused");
  });

  it("reports timeouts as timeouts, never clean", async () => {
    const report = await run({ "bl.spamcop.net": { kind: "timeout" } }, ["192.0.2.25"], {
      lists: ["spamcop-scbl"],
    });
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "timeout"]]);
    expect(report.lists[0]?.health).toBe("timeout");
  });

  it("reports a target query that times out", async () => {
    // The list answers its test entries but drops the target's query.
    server = await startDnsServer((question, transport) => {
      if (question.name.startsWith("25.2.0.192.")) return { drop: true };
      return fakeListsHandler({ "bl.spamcop.net": { kind: "normal" } })(question, transport);
    });
    const dns = serverContext(server);
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, {
      lists: ["spamcop-scbl"],
    });
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "timeout"]]);
    expect(report.notices.map((n) => n.kind)).toEqual(["timeouts"]);
    expect(report.unreachable).toBe(false);
  });

  it("words the timeout notice by count", async () => {
    // The list answers its test entries but drops the queries about the targets.
    server = await startDnsServer((question, transport) => {
      if (question.name.includes(".2.0.192.")) return { drop: true };
      return fakeListsHandler({ "bl.spamcop.net": { kind: "normal" } })(question, transport);
    });
    const dns = serverContext(server);
    const options = { lists: ["spamcop-scbl"] };
    try {
      const one = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, options);
      const two = await checkBlocklists(
        { ips: ["192.0.2.26", "192.0.2.27"], domains: [] },
        dns,
        options,
      );

      expect(one.notices[0]?.message).toBe(
        "1 check on spamcop-scbl got no answer in time and is not counted as clean.",
      );
      expect(two.notices[0]?.message).toBe(
        "2 checks on spamcop-scbl got no answer in time and are not counted as clean.",
      );
    } finally {
      await dns.close();
    }
  });

  it("reports SERVFAIL as an error", async () => {
    const report = await run({ "bl.spamcop.net": { kind: "servfail" } }, ["192.0.2.25"], {
      lists: ["spamcop-scbl"],
    });
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "error"]]);
    expect(report.results[0]?.meaning).toContain("SERVFAIL");
  });

  it("reports a REFUSED response as refused", async () => {
    const report = await run({ "bl.spamcop.net": { kind: "refused-rcode" } }, ["192.0.2.25"], {
      lists: ["spamcop-scbl"],
    });
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "refused"]]);
    expect(report.results[0]?.refusal).toBe("server-refused");
  });

  it("detects a resolver that rewrites NXDOMAIN", async () => {
    const report = await run(
      { "bl.spamcop.net": { kind: "normal" } },
      ["192.0.2.25"],
      { lists: ["spamcop-scbl"] },
      true,
    );
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "refused"]]);
    expect(report.results[0]?.refusal).toBe("outside-loopback");
    expect(report.notices.map((n) => n.kind)).toContain("resolver-rewrites");
  });

  it("refuses codes the list does not document", async () => {
    const report = await run(
      { "bl.spamcop.net": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.99"] } } },
      ["192.0.2.25"],
      { lists: ["spamcop-scbl"] },
    );
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "refused"]]);
    expect(report.results[0]?.refusal).toBe("undocumented-code");
    expect(report.results[0]?.codes).toEqual(["127.0.0.99"]);
  });

  it("lists despite an undocumented code", async () => {
    const report = await run(
      {
        "zen.spamhaus.org": {
          kind: "normal",
          listed: { "12.2.0.192": ["127.0.0.2", "127.0.0.8"] },
        },
      },
      ["192.0.2.12"],
      { lists: ["spamhaus-zen"] },
    );
    expect(statuses(report)).toEqual([["192.0.2.12", "spamhaus-zen", "listed"]]);
    const [result] = report.results;
    expect(result?.refusal).toBeNull();
    expect(result?.meaning).toContain("SBL");
    expect(result?.meaning).toContain("127.0.0.8, which is not a code");
    expect(result?.codes).toEqual(["127.0.0.2", "127.0.0.8"]);
    expect(result?.delisting).toBe("https://check.spamhaus.org/");
  });

  it("marks a list that answers everything as unusable", async () => {
    const report = await run(
      { "bl.spamcop.net": { kind: "wildcard", code: "127.0.0.2" } },
      ["192.0.2.25"],
      { lists: ["spamcop-scbl"] },
    );
    expect(report.lists[0]?.health).toBe("answers-everything");
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "error"]]);
    expect(report.finding).toBeNull();
    expect(report.notices.map((n) => n.kind)).toEqual(["list-unusable"]);
    expect(server?.queries.some((q) => q.name.startsWith("25.2.0.192."))).toBe(false);
  });

  it("marks a list that answers nothing as unusable", async () => {
    const report = await run({ "bl.spamcop.net": { kind: "empty" } }, ["192.0.2.25"], {
      lists: ["spamcop-scbl"],
    });
    expect(report.lists[0]?.health).toBe("answers-nothing");
    expect(statuses(report)).toEqual([["192.0.2.25", "spamcop-scbl", "error"]]);
  });

  it("points to the DQS key when its zone answers nothing", async () => {
    const report = await run({ "zen.dq.spamhaus.net": { kind: "empty" } }, ["192.0.2.25"], {
      lists: ["spamhaus-zen"],
      dqsKey: "abcdefgh12345678",
    });
    const notice = report.notices.find((item) => item.kind === "list-unusable");

    expect(report.lists[0]?.health).toBe("answers-nothing");
    expect(report.lists[0]?.detail).toContain("Spamhaus Data Query Service");
    expect(report.lists[0]?.detail).toContain("check the key first");
    expect(notice?.advice).toContain("Spamhaus DQS key");
  });

  it("follows a truncated answer over TCP", async () => {
    const report = await run(
      {
        "zen.spamhaus.org": {
          kind: "truncated",
          listed: { "25.2.0.192": ["127.0.0.4"] },
        },
      },
      ["192.0.2.25"],
      { lists: ["spamhaus-zen"] },
    );
    expect(statuses(report)).toEqual([["192.0.2.25", "spamhaus-zen", "listed"]]);
    expect(report.results[0]?.meaning).toContain("XBL");
    const tcp = server?.queries.filter((q) => q.transport === "tcp").map((q) => q.name);
    expect(tcp).toContain("25.2.0.192.zen.spamhaus.org");
  });

  it("decodes SURBL bits and refuses bit 1", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "multi.surbl.org": {
          kind: "normal",
          listed: { "bad.example": ["127.0.0.80"], "odd.example": ["127.0.0.3"] },
        },
      }),
    );
    const dns = serverContext(server);
    const report = await checkBlocklists(
      { ips: [], domains: ["bad.example", "odd.example", "good.example"] },
      dns,
      { lists: ["surbl-multi"] },
    );
    expect(statuses(report)).toEqual([
      ["bad.example", "surbl-multi", "listed"],
      ["odd.example", "surbl-multi", "refused"],
      ["good.example", "surbl-multi", "not-listed"],
    ]);
    expect(report.results[0]?.meaning).toBe("MW: malware; ABUSE: spam and abuse");
  });

  it("reads a Sender Score", async () => {
    const report = await run(
      {
        "score.senderscore.com": {
          kind: "normal",
          listed: { "25.2.0.192": ["127.0.4.87"], "27.2.0.192": ["127.0.4.127"] },
        },
      },
      ["192.0.2.25", "192.0.2.26", "192.0.2.27"],
      { lists: ["senderscore-score"] },
    );
    expect(statuses(report)).toEqual([
      ["192.0.2.25", "senderscore-score", "listed"],
      ["192.0.2.26", "senderscore-score", "not-listed"],
      ["192.0.2.27", "senderscore-score", "refused"],
    ]);
    expect(report.results[0]?.score).toBe(87);
    expect(report.results[0]?.meaning).toBe("Sender Score 87 of 100");
    expect(report.lists[0]?.health).toBe("unprobed");
    expect(report.finding).toBeNull();
  });
});
