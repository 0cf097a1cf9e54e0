import { describe, expect, test } from "vitest";
import { ServerAnalyser } from "../../src/analysis/server.js";

describe("ServerAnalyser.addJudgedIp", () => {
  test("skips the address of the receiving host", () => {
    const server = new ServerAnalyser();
    server.addJudgedIp("192.0.2.7", 1, "other", "192.0.2.7");
    server.addJudgedIp("2001:db8::7", 2, "other", "2001:DB8:0:0::7");
    server.addJudgedIp("203.0.113.5", 3, "other", "192.0.2.7");
    server.addJudgedIp("203.0.113.5", 4, "gmail", null);

    expect([...server.judgedIps.keys()]).toEqual(["203.0.113.5"]);
    expect(server.judgedIps.get("203.0.113.5")?.count).toBe(2);
  });
});
