import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Oct 22 16:21:42 mx1";

describe("Postfix deferral delay", () => {
  it("reads delay= of a deferral", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[31775]: DB6E324327: to=<user2@example.net>, relay=mail.example.net[192.0.2.4]:25, delay=178660, delays=178608/0.04/2.2/50, dsn=4.0.0, status=deferred (host mail.example.net[192.0.2.4] said: 451 Temporary local problem - please try later (in reply to RCPT TO command))`,
    ]);

    expect(eventsOf(events, "delivery")[0]?.delaySeconds).toBe(178660);
  });

  it("reads a fractional delay", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[31775]: DB6E324328: to=<user3@example.net>, relay=none, delay=0.52, delays=0.01/0/0.5/0, dsn=4.4.1, status=deferred (connect to mail.example.net[192.0.2.4]:25: Connection refused)`,
    ]);

    expect(eventsOf(events, "delivery")[0]?.delaySeconds).toBe(0.52);
  });

  it("leaves it null on other results", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[31775]: DB6E324329: to=<user4@example.net>, relay=mail.example.net[192.0.2.4]:25, delay=3, delays=0.1/0/1/1.9, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
    ]);

    expect(eventsOf(events, "delivery")[0]?.delaySeconds).toBeNull();
  });

  it("leaves it null without delay=", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtp[31775]: DB6E32432A: to=<user5@example.net>, relay=mail.example.net[192.0.2.4]:25, dsn=4.0.0, status=deferred (host mail.example.net[192.0.2.4] said: 451 Try later (in reply to RCPT TO command))`,
    ]);

    expect(eventsOf(events, "delivery")[0]?.delaySeconds).toBeNull();
  });
});
