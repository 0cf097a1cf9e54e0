import { describe, expect, it } from "vitest";
import { exportShapeOf } from "../../../src/logs/reader/export-shapes.js";

describe("exportShapeOf", () => {
  const cases: readonly (readonly [string, readonly string[], string])[] = [
    ["no entries", ["-- No entries --"], "the journal query matched nothing"],
    ["short-monotonic", ["[ 1248.596853] mx1 postfix/qmgr[1100]: x"], "-o short-monotonic"],
    ["json-pretty", ["{", '\t"__CURSOR" : "s=1",'], "-o json-pretty"],
    ["export", ["__CURSOR=s=1", "__REALTIME_TIMESTAMP=1709543048596853"], "-o export"],
    ["cat with a short id", ["3F1A2B0000: uid=1000 from=<news>"], "-o cat"],
    ["cat with a long id", ["4Ws8qz1fBXz9sWm: removed"], "-o cat"],
    ["cat with a client line", ["connect from unknown[192.0.2.1]"], "-o cat"],
  ];

  for (const [name, lines, expected] of cases) {
    it(`names ${name}`, () => {
      expect(exportShapeOf(lines)?.description).toContain(expected);
    });
  }

  it("names no shape for prose", () => {
    expect(exportShapeOf(["Logs of mx1, copied on Monday."])).toBeNull();
  });

  it("asks for a mode delist reads", () => {
    expect(exportShapeOf(["__CURSOR=s=1"])?.fix).toContain("journalctl -o short-iso");
  });
});
