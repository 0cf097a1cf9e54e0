import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../../src/diagnose/statistics.js";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { COMPLETED_WINDOW_MS } from "../../../src/logs/exim/completed-messages.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runCommand } from "../../helpers/cli.js";
import { temporaryFiles } from "../../helpers/temporary-files.js";
import { runParser } from "./frame.js";

const temporary = temporaryFiles();

const GMAIL = "H=gmail-smtp-in.l.google.com [192.0.2.27]";
const OK = 'C="250 2.0.0 OK 1740990000 x1si1 - gsmtp"';
const ID = "1tA008-000009-AA";

function arrival(time: string, id = ID): string {
  return `2025-03-03 ${time} ${id} <= pat@example.com H=(laptop) [192.0.2.14]:50005 P=esmtpsa A=dovecot_login:pat@example.com S=600 id=${id}@example.com for quin@gmail.com rae@gmail.com`;
}

function sent(time: string, recipient: string, id = ID): string {
  return `2025-03-03 ${time} ${id} => ${recipient} R=dnslookup T=remote_smtp ${GMAIL} ${OK}`;
}

function completed(time: string, id = ID): string {
  return `2025-03-03 ${time} ${id} Completed`;
}

/** One message whose second delivery line comes after its `Completed` line. */
const LATE_DELIVERY = [
  arrival("16:00:00"),
  sent("16:00:01", "quin@gmail.com"),
  completed("16:00:01"),
  sent("16:00:01", "rae@gmail.com"),
];

function deliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

async function statisticsOf(lines: readonly string[]): Promise<LogStatistics> {
  const path = temporary.file(lines.join("\n") + "\n");
  const result = await runCommand(["logs", "--format", "json", "--timezone", "UTC", path]);
  return JSON.parse(result.stdout) as LogStatistics;
}

describe("Exim lines after Completed", () => {
  test("late delivery keeps its message", () => {
    const { events } = runParser(createEximParser, LATE_DELIVERY);
    const [first, late] = deliveries(events);

    expect(late?.recipient).toBe("rae@gmail.com");
    expect(late?.message).toBe(first?.message);
    expect(late?.message.saslUsername).toBe("pat@example.com");
    expect(late?.firstAttempt).toBe(true);
    expect(events.filter((event) => event.type === "message")).toHaveLength(1);
  });

  test("late delivery counts for the account", async () => {
    const statistics = await statisticsOf(LATE_DELIVERY);
    const account = statistics.accounts.find((row) => row.key === "pat@example.com");

    expect(statistics.server.outboundMessages).toBe(1);
    expect(statistics.days.map((day) => day.messages)).toEqual([1]);
    expect(account?.messages).toBe(1);
    expect(account?.recipients).toBe(2);
    expect(account?.sent).toBe(2);
    expect(statistics.providers["gmail"]?.sent).toBe(2);
  });

  test("line past the window is a new message", () => {
    const later = new Date(Date.UTC(2025, 2, 3, 16, 0, 1) + COMPLETED_WINDOW_MS + 1000);
    const stamp = later.toISOString().slice(11, 19);
    const { events } = runParser(createEximParser, [
      ...LATE_DELIVERY.slice(0, 3),
      sent(stamp, "rae@gmail.com"),
    ]);
    const [first, late] = deliveries(events);

    expect(late?.message).not.toBe(first?.message);
    expect(late?.message.saslUsername).toBeNull();
  });

  test("other ids stay apart", () => {
    const other = "1tA009-000010-AA";
    const { events } = runParser(createEximParser, [
      ...LATE_DELIVERY.slice(0, 3),
      sent("16:00:02", "sam@gmail.com", other),
    ]);
    const [first, second] = deliveries(events);

    expect(second?.message).not.toBe(first?.message);
    expect(second?.message.id).toBe(other);
  });

  test("arrival after Completed starts afresh", () => {
    const { events } = runParser(createEximParser, [
      ...LATE_DELIVERY.slice(0, 3),
      arrival("16:00:02"),
    ]);
    const messages = events.flatMap((event) => (event.type === "message" ? [event.message] : []));

    expect(messages).toHaveLength(2);
    expect(messages[1]).not.toBe(messages[0]);
  });
});
