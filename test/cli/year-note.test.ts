import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

// A few hours of mail with RFC 3339 stamps (`2024-03-04T00:00:00+00:00`), which carry a year.
function rfc3339Log(): string {
  return new PostfixLog()
    .submitHourly({ hours: 4, recipient: (hour) => `friend${hour}@example.net` })
    .text();
}

// The same log with classic syslog stamps (`Mar  4 00:00:00`), which have no year.
function classicLog(): string {
  return rfc3339Log().replace(
    /^2024-03-0(\d)T(\d\d:\d\d:\d\d)\S*/gm,
    (_, day: string, time: string) => `Mar  ${day} ${time}`,
  );
}

const EXIM_LOG = [
  "2024-03-04 09:15:02 1rhA2b-0004Xy-Ab <= alice@example.com H=(client.example.com) [198.51.100.10] P=esmtpa A=login:alice@example.com S=1234 id=one@example.com",
  '2024-03-04 09:15:03 1rhA2b-0004Xy-Ab => friend@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.25] C="250 2.0.0 OK"',
  "2024-03-04 09:15:03 1rhA2b-0004Xy-Ab Completed",
].join("\n");

async function notes(file: string, year: string[]): Promise<string[]> {
  const result = await runCommand(["logs", "-f", "json", "--timezone", "UTC", ...year, file]);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { input: { notes: string[] } }).input.notes;
}

const NOTE = "--year 2030 was not used: these logs carry the year in their timestamps.";

describe("--year input note", () => {
  test("notes an unused year on RFC 3339 stamps", async () => {
    expect(await notes(temporary.file(rfc3339Log(), "mail.log"), ["--year", "2030"])).toContain(
      NOTE,
    );
  });

  test("notes an unused year on Exim stamps", async () => {
    expect(await notes(temporary.file(`${EXIM_LOG}\n`, "mainlog"), ["--year", "2030"])).toContain(
      NOTE,
    );
  });

  test("no note for classic stamps", async () => {
    const found = await notes(temporary.file(classicLog(), "mail.log"), ["--year", "2024"]);
    expect(found.filter((note) => note.startsWith("--year"))).toEqual([]);
  });

  test("no note without --year", async () => {
    const found = await notes(temporary.file(rfc3339Log(), "mail.log"), []);
    expect(found.filter((note) => note.startsWith("--year"))).toEqual([]);
  });

  test("text output prints the note", async () => {
    const file = temporary.file(rfc3339Log(), "mail.log");
    const result = await runCommand(["logs", "--timezone", "UTC", "--year", "2030", file]);

    expect(result.code).toBe(0);
    expect(result.stdout.replace(/\n {2}/g, " ")).toContain(`Note: ${NOTE}`);
  });

  test("diagnose lists the note", async () => {
    const file = temporary.file(rfc3339Log(), "mail.log");
    const result = await runCommand([
      "diagnose",
      "--offline",
      "-f",
      "json",
      "--timezone",
      "UTC",
      "--year",
      "2030",
      file,
    ]);

    const report = JSON.parse(result.stdout) as { input: { notes: string[] } };
    expect(report.input.notes).toContain(NOTE);
  });
});
