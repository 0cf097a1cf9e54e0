import { describe, expect, it } from "vitest";
import { zoneFileResolver, zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";
import type { DnsResult, RecordType, Resolver } from "../../src/dns/types.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const EXAMPLE_COM = `$ORIGIN example.com.
$TTL 1h
@      IN SOA ns1 hostmaster 1 3600 900 604800 300
@      IN MX  10 mail
@      IN TXT "v=spf1 ip4:192.0.2.1 include:_spf.example.net -all"
mail   IN A   192.0.2.1
www    IN CNAME www.example.org.
`;

/** Parses zone text the way `--zone` does, with the origins the files name. */
function resolverOf(...texts: string[]): Resolver {
  const origins = new Set<string>();
  const zone = new Map();
  texts.forEach((text, index) => parseZoneFile(text, `test${index}.zone`, zone, [], origins));
  return zoneResolver(zone, "test zones", origins);
}

function kindOf(result: DnsResult<RecordType>): string {
  return result.ok ? "answer" : result.kind;
}

describe("zone origins", () => {
  it("answers not-in-zone outside every origin", async () => {
    const result = await resolverOf(EXAMPLE_COM).resolve("_spf.example.net", "TXT");
    expect(kindOf(result)).toBe("not-in-zone");
    expect(result.ok ? "" : result.detail).toBe(
      "_spf.example.net is not in the zone files, which contain only the zone example.com",
    );
  });

  it("keeps NXDOMAIN under an origin", async () => {
    const resolver = resolverOf(EXAMPLE_COM);
    expect(kindOf(await resolver.resolve("missing.example.com", "TXT"))).toBe("nxdomain");
    expect(kindOf(await resolver.resolve("mail.example.com", "TXT"))).toBe("nodata");
  });

  it("reports a CNAME target outside the zones", async () => {
    const result = await resolverOf(EXAMPLE_COM).resolve("www.example.com", "A");
    expect(kindOf(result)).toBe("not-in-zone");
    expect(result.name).toBe("www.example.com");
    expect(result.ok ? "" : result.detail).toMatch(/^www\.example\.org is not in the zone files/);
  });

  it("takes an SOA owner as origin", async () => {
    const text = `example.net. 3600 IN SOA ns1.example.net. hostmaster.example.net. 1 3600 900 604800 300
example.net. 3600 IN TXT "v=spf1 -all"
`;
    const resolver = resolverOf(text);
    expect(kindOf(await resolver.resolve("missing.example.net", "A"))).toBe("nxdomain");
    expect(kindOf(await resolver.resolve("example.org", "A"))).toBe("not-in-zone");
  });

  it("takes owner names without $ORIGIN or SOA", async () => {
    const text = `example.org. 3600 IN TXT "v=spf1 -all"
_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=none"
`;
    const resolver = resolverOf(text);
    expect(kindOf(await resolver.resolve("mail.example.org", "A"))).toBe("nxdomain");
    expect(kindOf(await resolver.resolve("example.com", "TXT"))).toBe("not-in-zone");
  });

  it("joins the zones of several files", async () => {
    const other = `$ORIGIN example.net.\n_spf IN TXT "v=spf1 ip4:198.51.100.0/24 -all"\n`;
    const resolver = resolverOf(EXAMPLE_COM, other);
    expect(kindOf(await resolver.resolve("_spf.example.net", "TXT"))).toBe("answer");
    expect(kindOf(await resolver.resolve("other.example.net", "TXT"))).toBe("nxdomain");
    expect(kindOf(await resolver.resolve("example.org", "TXT"))).toBe("not-in-zone");
  });

  it("root origin covers every name", async () => {
    const resolver = resolverOf(`$ORIGIN .\nexample.com. TXT "v=spf1 -all"\n`);
    expect(kindOf(await resolver.resolve("example.net", "TXT"))).toBe("nxdomain");
  });

  it("answers NXDOMAIN without origins", async () => {
    const resolver = zoneResolver(parseZoneFile(EXAMPLE_COM, "test.zone"));
    expect(kindOf(await resolver.resolve("_spf.example.net", "TXT"))).toBe("nxdomain");
  });

  it("reads the origins of --zone files", async () => {
    const folder = temporary.folder({ "a.zone": EXAMPLE_COM, "b.zone": "$ORIGIN example.net.\n" });
    const resolver = await zoneFileResolver([`${folder}/a.zone`, `${folder}/b.zone`]);
    expect(kindOf(await resolver.resolve("_spf.example.net", "TXT"))).toBe("nxdomain");
    expect(kindOf(await resolver.resolve("_spf.example.org", "TXT"))).toBe("not-in-zone");
  });
});

describe("zone file byte order mark", () => {
  it("skips a leading UTF-8 byte order mark", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EXAMPLE_COM)]);
    const folder = temporary.folder({ "bom.zone": bytes });
    const resolver = await zoneFileResolver([`${folder}/bom.zone`]);
    expect(kindOf(await resolver.resolve("mail.example.com", "A"))).toBe("answer");
  });

  it("skips the mark in parsed text", () => {
    const zone = parseZoneFile(`\uFEFF${EXAMPLE_COM}`, "bom.zone");
    expect(zone.get("example.com")?.map((record) => record.type)).toContain("TXT");
  });
});
