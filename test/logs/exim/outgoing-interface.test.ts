import { describe, expect, test } from "vitest";
import type { DeliveryEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1rhA2b-000Abc-1x";
const STAMP = "2024-03-04 09:15:02";
const GMAIL = "H=gmail-smtp-in.l.google.com [192.0.2.27]";
const REJECTION =
  "SMTP error from remote mail server after end of data: 550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\\n550 5.7.1 likely unsolicited mail. d1si1 - gsmtp";

function deliveries(lines: readonly string[]): DeliveryEvent[] {
  const { events } = runParser(createEximParser, lines);
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

describe("Exim outgoing interface", () => {
  test.each([
    ["I=[203.0.113.6]:45002", "203.0.113.6"],
    ["I=[203.0.113.6]", "203.0.113.6"],
    ["I=[2001:db8::6]:45002", "2001:db8::6"],
    ["I=[2001:db8::6]45002", "2001:db8::6"],
  ])("delivery with %s", (field, address) => {
    const [event] = deliveries([
      `${STAMP} ${ID} => bob@gmail.com R=dnslookup T=remote_smtp ${GMAIL} ${field} X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK 1709 - gsmtp"`,
    ]);

    expect(event?.outgoingSource).toBe(address);
    expect(event?.relayIp).toBe("192.0.2.27");
    expect(event?.status).toBe("sent");
    expect(event?.response).toBe("250 2.0.0 OK 1709 - gsmtp");
  });

  test("rejection ending the fields", () => {
    const [event] = deliveries([
      `${STAMP} ${ID} ** bob@gmail.com R=dnslookup T=remote_smtp ${GMAIL} I=[203.0.113.5]:45001: ${REJECTION}`,
    ]);

    expect(event?.outgoingSource).toBe("203.0.113.5");
    expect(event?.status).toBe("bounced");
    expect(event?.response).toBe(REJECTION);
  });

  test("deferral and further address", () => {
    const events = deliveries([
      `${STAMP} ${ID} == bob@gmail.com R=dnslookup T=remote_smtp defer (-44) ${GMAIL} I=[203.0.113.5]:45001: ${REJECTION}`,
      `${STAMP} ${ID} => carol@gmail.com R=dnslookup T=remote_smtp ${GMAIL} I=[203.0.113.6]:45002 C="250 2.0.0 OK"`,
      `${STAMP} ${ID} -> dave@gmail.com R=dnslookup T=remote_smtp ${GMAIL} I=[203.0.113.6]:45002 C="250 2.0.0 OK"`,
    ]);

    expect(events.map((event) => event.outgoingSource)).toEqual([
      "203.0.113.5",
      "203.0.113.6",
      "203.0.113.6",
    ]);
    expect(events[0]?.status).toBe("deferred");
    expect(events[0]?.response).toBe(REJECTION);
  });

  test.each([
    ["no I= field", ""],
    ["an empty address", " I=[]:45002"],
    ["no brackets", " I=203.0.113.6"],
  ])("delivery with %s", (_case, field) => {
    const [event] = deliveries([
      `${STAMP} ${ID} => bob@gmail.com R=dnslookup T=remote_smtp ${GMAIL}${field} C="250 2.0.0 OK"`,
    ]);

    expect(event?.outgoingSource).toBeNull();
    expect(event?.relayHost).toBe("gmail-smtp-in.l.google.com");
  });
});
