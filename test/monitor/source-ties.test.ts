import { describe, expect, it } from "vitest";
import type { SourceWindow } from "../../src/monitor/log-sources.js";
import { SourceTies } from "../../src/monitor/source-ties.js";
import { blockKey } from "../../src/store/index.js";

/** Builds a window whose sources' block replies named the IPs of `named`. */
function windowWith(named: Record<string, string[]>, sources: string[] = []): SourceWindow {
  return {
    blockReplies: new Map(),
    sources: new Map([...Object.keys(named), ...sources].map((source) => [source, 1])),
    namedIps: new Map(Object.entries(named).map(([source, ips]) => [source, new Set(ips)])),
    acceptedSources: new Map(),
  };
}

describe("SourceTies", () => {
  it("lists the sources of block replies that concern no known IP", () => {
    const origin = (source: string | null, judgedIp: string | null = null) => ({
      judgedIp,
      source,
      relayFamily: null,
      firstAt: 0,
      lastAt: 0,
    });
    const window: SourceWindow = {
      ...windowWith({}, ["postfix-out1", "postfix-out3"]),
      blockReplies: new Map([
        ["yahoo", [origin("postfix-out1"), origin("postfix-out3"), origin(null)]],
        ["gmail", [origin("postfix-out3", "203.0.113.7")]],
      ]),
    };
    const ties = new SourceTies(window, { "postfix-out1": "203.0.113.5" }, []);
    expect(ties.unplacedSources("yahoo")).toEqual(["", "postfix-out3"]);
    expect(ties.unplacedSources("gmail")).toEqual([]);
  });

  it("ties a source by the IP its replies named", () => {
    const ties = new SourceTies(windowWith({ "postfix-out1": ["203.0.113.5"] }), {}, []);
    expect(ties.sourcesOf("203.0.113.5")).toEqual(["postfix-out1"]);
    expect(ties.sourcesOf("203.0.113.6")).toEqual([]);
  });

  it("prefers the configured IP to a named one", () => {
    const window = windowWith({ "postfix-out1": ["203.0.113.5"] });
    const ties = new SourceTies(window, { "postfix-out1": "203.0.113.6" }, []);
    expect(ties.sourcesOf("203.0.113.6")).toEqual(["postfix-out1"]);
    expect(ties.sourcesOf("203.0.113.5")).toEqual([]);
  });

  it("prefers a named IP to a stored one", () => {
    const stored = [{ key: blockKey("gmail", "203.0.113.5"), sources: ["postfix-out1"] }];
    const named = new SourceTies(windowWith({ "postfix-out1": ["203.0.113.7"] }), {}, stored);
    expect(named.sourcesOf("203.0.113.7")).toEqual(["postfix-out1"]);
    expect(named.sourcesOf("203.0.113.5")).toEqual([]);

    const onlyStored = new SourceTies(windowWith({}), {}, stored);
    expect(onlyStored.sourcesOf("203.0.113.5")).toEqual(["postfix-out1"]);
  });

  it("ties no source named with two IPs of one family", () => {
    const window = windowWith({ postfix: ["203.0.113.5", "203.0.113.6", "2001:db8::5"] });
    const ties = new SourceTies(window, {}, []);
    expect(ties.sourcesOf("203.0.113.5")).toEqual([]);
    expect(ties.sourcesOf("203.0.113.6")).toEqual([]);
    expect(ties.sourcesOf("2001:db8::5")).toEqual(["postfix"]);
  });

  it("ties an Exim interface address to itself", () => {
    const ties = new SourceTies(windowWith({}, ["2001:db8::5", "postfix"]), {}, []);
    expect(ties.sourcesOf("2001:DB8:0::5")).toEqual(["2001:db8::5"]);
    expect(ties.tiedIps()).toEqual(["2001:db8::5"]);
  });
});
