import type dnsPacket from "dns-packet";

/** Builds a TXT answer with a TTL of 300 seconds. */
export function txtAnswer(name: string, data: string): dnsPacket.Answer {
  return { type: "TXT", name, ttl: 300, data };
}

/**
 * Builds the DNS answers of example.com sending from mail.example.com on 192.0.2.25: SPF that
 * allows the IP, DMARC with policy `dmarcPolicy`, MX, A, and a PTR that the A record confirms.
 * No DKIM key is published. The keys are `"TYPE name"`, as `tableHandler` expects.
 */
export function exampleSenderAnswers(
  dmarcPolicy: "none" | "reject",
): Record<string, dnsPacket.Answer[]> {
  return {
    "TXT example.com": [txtAnswer("example.com", "v=spf1 ip4:192.0.2.25 -all")],
    "TXT _dmarc.example.com": [txtAnswer("_dmarc.example.com", `v=DMARC1; p=${dmarcPolicy}`)],
    "MX example.com": [
      {
        type: "MX",
        name: "example.com",
        ttl: 300,
        data: { preference: 10, exchange: "mail.example.com" },
      },
    ],
    "A mail.example.com": [{ type: "A", name: "mail.example.com", ttl: 300, data: "192.0.2.25" }],
    "PTR 25.2.0.192.in-addr.arpa": [
      { type: "PTR", name: "25.2.0.192.in-addr.arpa", ttl: 300, data: "mail.example.com" },
    ],
  };
}

/** The address of mail.example.com in `senderZone`. */
export const SENDER_ZONE_IP = "192.0.2.5";

/**
 * Builds a zone file for example.com with SPF, DMARC p=reject, MX and a PTR that the A record
 * of mail.example.com (`SENDER_ZONE_IP`) confirms, plus the `extra` records of example.com.
 */
export function senderZone(...extra: string[]): string {
  return [
    "$ORIGIN example.com.",
    "@ IN MX 10 mail",
    `@ IN TXT "v=spf1 ip4:${SENDER_ZONE_IP} -all"`,
    `mail IN A ${SENDER_ZONE_IP}`,
    '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"',
    ...extra,
    "$ORIGIN 2.0.192.in-addr.arpa.",
    "5 IN PTR mail.example.com.",
    "",
  ].join("\n");
}
