import { describe, expect, it } from "vitest";
import { answerOf } from "./answer.js";
import { joinTxt } from "../../src/dns/types.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";

const ZONE = `$ORIGIN example.com.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ IN TXT "v=spf1 mx -all"
@ IN TXT "v=spf1 mx -all"
@ IN MX 10 mail
@ IN MX 10 mail
@ IN MX 20 backup
`;

describe("zone records written twice", () => {
  const resolver = zoneResolver(parseZoneFile(ZONE, "twice.zone"));

  it("answers a TXT record once", async () => {
    const txt = await resolver.resolve("example.com", "TXT");
    expect(answerOf(txt).records.map(joinTxt)).toEqual(["v=spf1 mx -all"]);
  });

  it("answers an MX record once", async () => {
    const mx = await resolver.resolve("example.com", "MX");
    expect(answerOf(mx).records).toEqual([
      { priority: 10, exchange: "mail.example.com" },
      { priority: 20, exchange: "backup.example.com" },
    ]);
  });
});
