import { describe, expect, it } from "vitest";
import { createFirewallParser } from "../../../src/logs/context/firewall.js";
import type { LogEvent } from "../../../src/logs/events.js";
import { toRecord } from "../postfix/fixture.js";

function run(lines: readonly string[]) {
  const events: LogEvent[] = [];
  const parser = createFirewallParser((event) => events.push(event));
  const outcomes = lines.map((line, index) => {
    const record = toRecord(line, index + 1);
    return parser.accepts(record.program) ? parser.parse(record) : "not accepted";
  });
  return { events, outcomes };
}

const TAIL = "LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=51213 DF PROTO=TCP";

describe("firewall parser", () => {
  it("reads an iptables LOG line with its uid", () => {
    const { events, outcomes } = run([
      `Mar  4 09:14:58 mx1 kernel: [ 8123.456789] SMTP-OUT: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 ${TAIL} SPT=40312 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0 UID=33 GID=33`,
    ]);
    expect(outcomes).toEqual(["parsed"]);
    expect(events).toEqual([
      {
        type: "smtp-connection",
        time: Date.UTC(2024, 2, 4, 9, 14, 58),
        position: { file: "fixture.log", line: 1 },
        source: "203.0.113.10",
        sourcePort: 40312,
        destination: "192.0.2.26",
        forwarded: false,
        uid: 33,
        blocked: false,
        prefix: "SMTP-OUT:",
      },
    ]);
  });

  it("marks ufw blocks", () => {
    const { events } = run([
      `Mar  4 09:15:00 mx1 kernel: [UFW BLOCK] IN= OUT=ens3 SRC=203.0.113.10 DST=192.0.2.27 ${TAIL} SPT=51000 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0`,
    ]);
    expect(events).toEqual([
      expect.objectContaining({ blocked: true, prefix: "[UFW BLOCK]", uid: null }),
    ]);
  });

  it("reads forwarded and IPv6 connections", () => {
    const { events } = run([
      `Mar  4 09:15:01 gw kernel: FWD-SMTP: IN=eth1 OUT=eth0 MAC=00:00:5e:00:53:01 SRC=192.0.2.77 DST=192.0.2.26 ${TAIL} SPT=50001 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0`,
      "Mar  4 09:15:02 mx1 kernel: SMTP-OUT: IN= OUT=eth0 SRC=2001:0db8:0000:0000:0000:0000:0000:0010 DST=2001:0db8:0000:0000:0000:0000:0000:0026 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=44000 DPT=25 WINDOW=64800 RES=0x00 SYN URGP=0",
    ]);
    expect(events).toEqual([
      expect.objectContaining({ forwarded: true, source: "192.0.2.77" }),
      expect.objectContaining({
        forwarded: false,
        destination: "2001:0db8:0000:0000:0000:0000:0000:0026",
      }),
    ]);
  });

  it("reads a line without prefix or stamp", () => {
    const { events } = run([
      `Mar  4 09:15:03 mx1 kernel: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 ${TAIL} SPT=40313 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0`,
    ]);
    expect(events).toEqual([expect.objectContaining({ prefix: "", destination: "192.0.2.26" })]);
  });

  it("ignores other packets and kernel lines", () => {
    const { events, outcomes } = run([
      // An established connection's packet, not an opening.
      `Mar  4 09:16:00 mx1 kernel: SMTP-OUT: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 ${TAIL} SPT=40312 DPT=25 WINDOW=501 RES=0x00 ACK PSH URGP=0`,
      // Submission port and inbound SMTP.
      `Mar  4 09:16:01 mx1 kernel: OUT587: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 ${TAIL} SPT=40314 DPT=587 WINDOW=64240 RES=0x00 SYN URGP=0`,
      `Mar  4 09:16:02 mx1 kernel: IN25: IN=eth0 OUT= SRC=198.51.100.9 DST=203.0.113.10 ${TAIL} SPT=40315 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0`,
      "Mar  4 09:16:03 mx1 kernel: [ 9001.000001] EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro",
      "Mar  4 09:16:04 mx1 postfix/smtp[77]: connect to mx.example.net[192.0.2.26]:25: Connection timed out",
    ]);
    expect(outcomes).toEqual(["ignored", "ignored", "ignored", "ignored", "not accepted"]);
    expect(events).toEqual([]);
  });

  it("reads a line with TCP sequence numbers", () => {
    // `--log-tcp-sequence` adds SEQ= and ACK= fields, which are not the ACK flag.
    const { events } = run([
      `Mar  4 09:18:00 mx1 kernel: SMTP-OUT: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 ${TAIL} SPT=40317 DPT=25 SEQ=123456 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0`,
    ]);
    expect(events).toEqual([expect.objectContaining({ destination: "192.0.2.26" })]);
  });

  it("counts a netfilter line without destination as unparsed", () => {
    const { outcomes } = run([
      `Mar  4 09:17:00 mx1 kernel: SMTP-OUT: IN= OUT=eth0 SRC=203.0.113.10 ${TAIL} SPT=40316 DPT=25 SYN URGP=0`,
    ]);
    expect(outcomes).toEqual(["unparsed"]);
  });
});
