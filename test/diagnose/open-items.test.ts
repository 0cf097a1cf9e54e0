import { describe, expect, test } from "vitest";
import { causeOpen, openItems, openList, type OpenBlocks } from "../../src/diagnose/open-items.js";
import type { ReadinessItem } from "../../src/diagnose/types.js";

function failed(id: string, title = id): ReadinessItem {
  return { id, title, status: "fail", detail: "" };
}

const NO_BLOCKS: OpenBlocks = { rejecting: [], unreachable: [] };

describe("open item clauses", () => {
  test.each([
    ["cause-identified", "the cause is not found"],
    ["cause-stopped", "the suspect sending goes on"],
    ["volume-normal", "outbound volume is still above its usual level"],
    ["spf-dkim-dmarc", "SPF, DKIM or DMARC needs fixing"],
    ["ptr", "the PTR record or forward-confirmed reverse DNS needs fixing"],
    ["blocklists", "the IP is on a blocklist"],
    ["sending-route", "mail still goes out directly from an IP range that receivers reject"],
  ])("%s says what is wrong", (id, clause) => {
    expect(openItems([failed(id)], NO_BLOCKS)[0]?.clause).toBe(clause);
  });

  test("blocks name one provider", () => {
    const blocks = { rejecting: ["Gmail"], unreachable: [] };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe("Gmail still rejects or defers mail");
  });

  test.each([
    ["deferred", "Gmail still defers mail"],
    ["rejected", "Gmail still rejects mail"],
    ["rejected or deferred", "Gmail still rejects or defers mail"],
  ])("one provider that %s", (verb, clause) => {
    const blocks = { rejecting: ["Gmail"], rejectingVerb: verb, unreachable: [] };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe(clause);
  });

  test("blocks name several providers", () => {
    const blocks = { rejecting: ["Gmail", "Yahoo/AOL"], unreachable: ["Outlook.com"] };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe(
      "Gmail and Yahoo/AOL still reject or defer mail; connections to Outlook.com still fail",
    );
  });

  test("each provider gets its own verb", () => {
    const blocks = {
      rejecting: ["Gmail", "Outlook.com", "Comcast"],
      rejectingVerbs: { Gmail: "deferred", "Outlook.com": "rejected", Comcast: "deferred" },
      unreachable: [],
    };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe("Gmail and Comcast still defer mail; Outlook.com still rejects mail");
  });

  test("accepting again is its own state", () => {
    const blocks = {
      rejecting: ["Gmail"],
      rejectingVerbs: { Gmail: "deferred" },
      acceptingAgain: ["Yahoo/AOL"],
      undecided: ["Google Workspace"],
      unreachable: [],
    };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe(
      "Gmail still defers mail; Yahoo/AOL has accepted deliveries since its block, too soon to call it lifted; Google Workspace has accepted too few deliveries since its block",
    );
  });

  test("list of nested clauses uses semicolons", () => {
    const blocks = { rejecting: ["Gmail", "Yahoo/AOL"], unreachable: [] };
    const open = openItems([failed("blocks-ended"), failed("blocklists")], blocks);

    expect(openList(open)).toBe(
      "Gmail and Yahoo/AOL still reject or defer mail; the IP is on a blocklist",
    );
  });

  test("other receivers take the plural", () => {
    const blocks = { rejecting: ["other receivers"], unreachable: [] };
    const [open] = openItems([failed("blocks-ended")], blocks);

    expect(open?.clause).toBe("other receivers still reject or defer mail");
  });

  test("blocks without names stay general", () => {
    const [open] = openItems([failed("blocks-ended")], NO_BLOCKS);

    expect(open?.clause).toBe("rejections or deferrals go on at the end of the log");
  });

  test("unknown item quotes its title", () => {
    const [open] = openItems([failed("new-item", "New item passes")], NO_BLOCKS);

    expect(open?.clause).toBe('"New item passes" is not met yet');
  });

  test("list joins the clauses", () => {
    const open = openItems([failed("cause-stopped"), failed("volume-normal")], NO_BLOCKS);

    expect(openList(open)).toBe(
      "the suspect sending goes on and outbound volume is still above its usual level",
    );
  });

  test("cause items mark the cause open", () => {
    expect(causeOpen(openItems([failed("cause-identified")], NO_BLOCKS))).toBe(true);
    expect(causeOpen(openItems([failed("cause-stopped")], NO_BLOCKS))).toBe(true);
    expect(causeOpen(openItems([failed("blocks-ended"), failed("ptr")], NO_BLOCKS))).toBe(false);
  });
});
