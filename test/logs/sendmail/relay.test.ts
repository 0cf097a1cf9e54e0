import { describe, expect, test } from "vitest";
import { parseRelay } from "../../../src/logs/sendmail/fields.js";

describe("Sendmail relay values", () => {
  test.each([
    ["[IPv6:2001:db8::5]", { host: null, ip: "2001:db8::5" }],
    ["client.example.net [IPv6:2001:db8::5]", { host: "client.example.net", ip: "2001:db8::5" }],
    ["[IPv6:2001:db8::5] (may be forged)", { host: null, ip: "2001:db8::5" }],
    [
      "client.example.net. [192.0.2.20] (may be forged)",
      { host: "client.example.net", ip: "192.0.2.20" },
    ],
    ["[192.0.2.20]", { host: null, ip: "192.0.2.20" }],
    ["[192.0.2.20] [192.0.2.20]", { host: null, ip: "192.0.2.20" }],
    ["[smtp.relay.example.net] [192.0.2.50]", { host: "smtp.relay.example.net", ip: "192.0.2.50" }],
    [
      "[smtp.relay.example.net.] [192.0.2.50]",
      { host: "smtp.relay.example.net", ip: "192.0.2.50" },
    ],
    ["[smtp.relay.example.net]", { host: "smtp.relay.example.net", ip: null }],
  ])("%s", (value, expected) => {
    expect(parseRelay(value)).toEqual({ ...expected, localUser: null });
  });
});
