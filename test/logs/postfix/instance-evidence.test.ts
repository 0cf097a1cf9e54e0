import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 09:15:04 mx1";

/** Returns the lines of a message that `receiver` received and `owner` queued and sent. */
function messageLines(receiver: string, owner: string): string[] {
  return [
    `${HEAD} ${receiver}/smtpd[300]: 4B7E21C0A3: client=a.example.org[192.0.2.10], sasl_method=PLAIN, sasl_username=alice`,
    `${HEAD} ${owner}/cleanup[301]: 4B7E21C0A3: message-id=<m1@example.com>`,
    `${HEAD} ${owner}/qmgr[302]: 4B7E21C0A3: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
    `${HEAD} ${owner}/smtp[303]: 4B7E21C0A3: to=<carol@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
    `${HEAD} ${owner}/qmgr[302]: 4B7E21C0A3: removed`,
  ];
}

describe("Postfix instance evidence", () => {
  it("own queue manager shows an instance once", () => {
    const { events } = runPostfix(messageLines("postfix-out", "postfix-out"));
    const found = eventsOf(events, "postfix-instance");

    expect(found).toHaveLength(1);
    expect(found[0]?.name).toBe("postfix-out");
    expect(found[0]?.kind).toBe("instance");
    expect(found[0]?.owner).toBeNull();
    expect(found[0]?.position.line).toBe(3);
  });

  it.each([
    ["master", "daemon started -- version 3.7.11, configuration /etc/postfix-out"],
    ["postfix-script", "starting the Postfix mail system"],
    ["postfix", "fatal: open /etc/postfix-out/main.cf: No such file or directory"],
  ])("%s line shows an instance", (service, text) => {
    const { events } = runPostfix([`${HEAD} postfix-out/${service}[90]: ${text}`]);
    const found = eventsOf(events, "postfix-instance");

    expect(found.map((event) => [event.name, event.kind])).toEqual([["postfix-out", "instance"]]);
  });

  it("default instance gives no event", () => {
    const { events } = runPostfix(messageLines("postfix", "postfix"));

    expect(eventsOf(events, "postfix-instance")).toEqual([]);
  });

  it("receiving service of the default instance", () => {
    const { events, parser } = runPostfix(messageLines("postfix-submission", "postfix"));
    const found = eventsOf(events, "postfix-instance");

    expect(found).toHaveLength(1);
    expect(found[0]?.name).toBe("postfix-submission");
    expect(found[0]?.kind).toBe("alias");
    expect(found[0]?.owner).toBe("postfix");
    expect(found[0]?.position.line).toBe(1);
    expect(eventsOf(events, "delivery")[0]?.message.saslUsername).toBe("alice");
    expect(parser.openMessages).toBe(0);
  });

  it("receiving service of a second instance", () => {
    const { events } = runPostfix(messageLines("postfix-out-sub", "postfix-out"));
    const found = eventsOf(events, "postfix-instance").map((event) => [
      event.name,
      event.kind,
      event.owner,
    ]);

    // cleanup's line comes before postfix-out has shown an instance, so qmgr's line decides.
    expect(found).toEqual([
      ["postfix-out", "instance", null],
      ["postfix-out-sub", "alias", "postfix-out"],
    ]);
  });

  it("transport syslog_name is no receiving alias", () => {
    const lines = messageLines("postfix", "postfix").map((line) =>
      line.replace("postfix/smtp[", "postfix-ip2/smtp["),
    );
    const { events } = runPostfix(lines);

    expect(eventsOf(events, "delivery")[0]?.message.clientIp).toBe("192.0.2.10");
    expect(eventsOf(events, "postfix-instance")).toEqual([]);
  });

  it("unproven names give no alias", () => {
    const { events } = runPostfix(
      messageLines("postfix-a", "postfix-b").filter((line) => !line.includes("/qmgr[")),
    );

    expect(eventsOf(events, "postfix-instance")).toEqual([]);
  });
});
