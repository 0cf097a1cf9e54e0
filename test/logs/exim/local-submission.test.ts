import { describe, expect, test } from "vitest";
import type { LoggedMessage } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { parseCwdLine } from "../../../src/logs/exim/local-submission.js";
import { runParser } from "./frame.js";

function arrivals(lines: string[]): LoggedMessage[] {
  return runParser(createEximParser, lines).events.flatMap((event) =>
    event.type === "message" ? [event.message] : [],
  );
}

const SCRIPT_DIR = "/home/shopuser/public_html/wp-content/plugins/forms";

describe("cwd= lines", () => {
  test("directory with spaces and the command", () => {
    const caller = parseCwdLine("cwd=/home/a b/public_html 3 args: /usr/sbin/sendmail -t -i", 5);
    expect(caller).toEqual({
      workingDirectory: "/home/a b/public_html",
      command: "/usr/sbin/sendmail -t -i",
      time: 5,
    });
  });

  test("malformed line is not a caller", () => {
    expect(parseCwdLine("cwd=/home/a args: x", 0)).toBeNull();
  });

  test("pairs with the next local arrival in the same second", () => {
    const [message] = arrivals([
      `2024-03-04 10:02:11 cwd=${SCRIPT_DIR} 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:11 1rhB1c-000Bcd-2y <= shopuser@host.example.net U=shopuser P=local S=2301 T="Your invoice" for x1@gmail.com`,
    ]);

    expect(message?.workingDirectory).toBe(SCRIPT_DIR);
    expect(message?.command).toBe("/usr/sbin/sendmail -t -i");
    expect(message?.localUser).toBe("shopuser");
  });

  test("does not pair across seconds without pids", () => {
    const [message] = arrivals([
      `2024-03-04 10:02:11 cwd=${SCRIPT_DIR} 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:12 1rhB1c-000Bcd-2y <= shopuser@host.example.net U=shopuser P=local S=2301`,
    ]);
    expect(message?.workingDirectory).toBeNull();
  });

  test("SMTP arrivals and bounces leave the line waiting", () => {
    const messages = arrivals([
      `2024-03-04 10:02:11 cwd=${SCRIPT_DIR} 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:11 1rhB1a-000Bcd-2y <= a@example.org H=(x) [198.51.100.9] P=esmtp S=1`,
      `2024-03-04 10:02:11 1rhB1b-000Bcd-2y <= <> R=1rhA00-000Bcd-2y U=mailnull P=local S=1`,
      `2024-03-04 10:02:11 1rhB1c-000Bcd-2y <= shopuser@host.example.net U=shopuser P=local S=2301`,
    ]);
    expect(messages.map((message) => message.workingDirectory)).toEqual([null, null, SCRIPT_DIR]);
  });

  test("interleaved submissions without pids pair in order", () => {
    const messages = arrivals([
      `2024-03-04 10:02:11 cwd=/home/one/public_html 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:11 cwd=/home/two/public_html 4 args: /usr/sbin/sendmail -t -i -fx@example.com`,
      `2024-03-04 10:02:11 1rhB1c-000Bcd-2y <= one@host.example.net U=one P=local S=1`,
      `2024-03-04 10:02:11 1rhB1d-000Bcd-2y <= two@host.example.net U=two P=local S=1`,
    ]);
    expect(messages.map((message) => message.workingDirectory)).toEqual([
      "/home/one/public_html",
      "/home/two/public_html",
    ]);
    expect(messages[1]?.command).toBe("/usr/sbin/sendmail -t -i -fx@example.com");
  });

  test("with pids the arrival of the same process pairs, whatever comes between", () => {
    const messages = arrivals([
      `2024-03-04 10:02:11 [4410] cwd=/home/one/public_html 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:11 [4411] cwd=/home/two/public_html 3 args: /usr/sbin/sendmail -t -i`,
      `2024-03-04 10:02:12 [4411] 1rhB1d-000Bcd-2y <= two@host.example.net U=two P=local S=1`,
      `2024-03-04 10:02:13 [4500] SMTP connection from (x) [198.51.100.9]:4000`,
      `2024-03-04 10:02:15 [4410] 1rhB1c-000Bcd-2y <= one@host.example.net U=one P=local S=1`,
      `2024-03-04 10:02:15 [4412] 1rhB1e-000Bcd-2y <= three@host.example.net U=three P=local S=1`,
    ]);
    expect(messages.map((message) => message.workingDirectory)).toEqual([
      "/home/two/public_html",
      "/home/one/public_html",
      null,
    ]);
  });

  test("queue runners and the daemon are not callers", () => {
    const { events, outcomes } = runParser(createEximParser, [
      `2023-04-23 03:47:01 cwd=/var/spool/exim 2 args: /usr/sbin/exim -q`,
      `2023-04-23 03:47:01 cwd=/ 6 args: /usr/sbin/exim -ps -bd -q15m -oP /var/run/exim.pid`,
      `2023-04-23 03:47:01 cwd=/home/a 3 args: /usr/sbin/exim -Mc 1rhB1c-000Bcd-2y`,
      `2023-04-23 03:47:01 1rhB1c-000Bcd-2y <= root@host.example.net U=root P=local S=1`,
    ]);
    const arrival = events.find((event) => event.type === "message");

    expect(outcomes).toEqual({ parsed: 4, ignored: 0, unparsed: 0 });
    expect(arrival?.message.workingDirectory).toBeNull();
  });
});
