import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";

/** Creates a DNS context that resolves from zone-file text, with a fixed clock. */
export function zoneDns(text: string): DnsContext {
  return createDnsContext({
    resolver: zoneResolver(parseZoneFile(text, "test.zone")),
    now: () => 0,
  });
}

/** The example zone the CLI tests and demos use. */
export const EXAMPLE_ZONE = new URL("./fixtures/example.zone", import.meta.url);
