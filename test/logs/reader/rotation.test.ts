import { describe, expect, it } from "vitest";
import { orderRotatedSets, parseRotationName } from "../../../src/logs/reader/rotation.js";

describe("parseRotationName", () => {
  it("reads numbered, dated and live names", () => {
    expect(parseRotationName("/var/log/mail.log").rank).toEqual({ kind: "live" });
    expect(parseRotationName("/var/log/mail.log.3.gz").rank).toEqual({
      kind: "numbered",
      index: 3,
    });
    expect(parseRotationName("/var/log/maillog-20240301.gz").rank).toEqual({
      kind: "dated",
      stamp: "20240301",
    });
    expect(parseRotationName("/var/log/mail.log-2024-03-01").rank).toEqual({
      kind: "dated",
      stamp: "20240301",
    });
  });

  it("puts members of a set under one key", () => {
    const keys = ["/l/mail.log", "/l/mail.log.1", "/l/mail.log.2.gz", "/l/mail.log.3.xz"].map(
      (path) => parseRotationName(path).setKey,
    );
    expect(new Set(keys).size).toBe(1);
    expect(parseRotationName("/other/mail.log").setKey).not.toBe(keys[0]);
  });

  it("leaves names without a rotation suffix live", () => {
    for (const name of ["0206", "2026-07-23-total", "@400000006a63c10915594b3c.s", "current"]) {
      expect(parseRotationName(`/l/${name}`).rank, name).toEqual({ kind: "live" });
    }
  });
});

describe("orderRotatedSets", () => {
  const order = (paths: string[]) =>
    orderRotatedSets(paths, (path) => path).map(
      ({ item, continuesPrevious }) => `${item}${continuesPrevious ? " +" : ""}`,
    );

  it("reads a numbered set oldest first", () => {
    expect(order(["/l/mail.log", "/l/mail.log.1", "/l/mail.log.2.gz", "/l/mail.log.3.gz"])).toEqual(
      ["/l/mail.log.3.gz", "/l/mail.log.2.gz +", "/l/mail.log.1 +", "/l/mail.log +"],
    );
  });

  it("orders numbers numerically", () => {
    expect(order(["/l/m.10", "/l/m.9", "/l/m.2"])).toEqual(["/l/m.10", "/l/m.9 +", "/l/m.2 +"]);
  });

  it("reads a dated set in date order", () => {
    expect(order(["/l/maillog", "/l/maillog-20240308", "/l/maillog-20240301.gz"])).toEqual([
      "/l/maillog-20240301.gz",
      "/l/maillog-20240308 +",
      "/l/maillog +",
    ]);
  });

  it("keeps the given order of files outside sets", () => {
    expect(order(["/l/b.log", "/l/a.log", "/l/mail.err"])).toEqual([
      "/l/b.log",
      "/l/a.log",
      "/l/mail.err",
    ]);
  });

  it("places a set where its first member was given", () => {
    expect(order(["/l/x.log", "/l/mail.log", "/l/y.log", "/l/mail.log.1"])).toEqual([
      "/l/x.log",
      "/l/mail.log.1",
      "/l/mail.log +",
      "/l/y.log",
    ]);
  });

  it("passes items without a path through", () => {
    const result = orderRotatedSets(["-", "/l/a.log.1", "/l/a.log"], (item) =>
      item === "-" ? null : item,
    );
    expect(result.map((entry) => entry.item)).toEqual(["-", "/l/a.log.1", "/l/a.log"]);
  });
});
