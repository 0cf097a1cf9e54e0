import { describe, expect, it } from "vitest";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import { HostNames } from "../../../src/logs/framing/host-names.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

function spellings(hosts: readonly string[]): string[] {
  const names = new HostNames();
  return hosts.map((host) => names.spellingOf(host));
}

describe("HostNames", () => {
  it("joins names that differ in case", () => {
    expect(spellings(["mail", "MAIL", "Mail"])).toEqual(["mail", "mail", "mail"]);
  });

  it("joins a short name and its FQDN", () => {
    expect(spellings(["mail", "mail.example.com"])).toEqual(["mail", "mail"]);
    expect(spellings(["Mail.Example.com", "mail"])).toEqual([
      "Mail.Example.com",
      "Mail.Example.com",
    ]);
  });

  it("keeps two FQDNs with one first label apart", () => {
    const hosts = ["mail.example.com", "mail.example.net", "mail"];
    expect(spellings(hosts)).toEqual(["mail.example.com", "mail.example.net", "mail"]);
  });

  it("keeps other hosts apart", () => {
    const hosts = ["mx1", "mx2.example.com", "mx1.example.com.au", "web"];
    expect(spellings(hosts)).toEqual(["mx1", "mx2.example.com", "mx1", "web"]);
  });

  it("never joins IPv4 addresses", () => {
    expect(spellings(["192", "192.0.2.1", "192.0.2.2"])).toEqual(["192", "192.0.2.1", "192.0.2.2"]);
  });

  it("leaves an empty host empty", () => {
    expect(spellings(["", "mail", ""])).toEqual(["", "mail", ""]);
  });
});

describe("LineFramer host spelling", () => {
  it("gives records of one host one spelling", () => {
    const framer = new LineFramer({ timeZone: resolveTimeZone("UTC") });
    framer.startFile("syslog", Date.UTC(2026, 2, 6), false);
    const hosts: string[] = [];
    for (const host of ["mail", "MAIL.example.com", "web2"]) {
      framer.frame(`2026-03-06T09:00:02+00:00 ${host} postfix/qmgr[1]: x`, 1, (record) => {
        hosts.push(record.host);
      });
    }
    expect(hosts).toEqual(["mail", "mail", "web2"]);
  });
});
