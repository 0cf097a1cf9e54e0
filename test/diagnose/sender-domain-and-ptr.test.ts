import { expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const REPLY =
  "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 192.0.2.25";

/**
 * Writes an Exim log in which a web application sends as noreply@app.example.net. A receiver
 * rejects that mail with a reply that names both the sender domain and the PTR record. With
 * `withUnroutableBounce`, this server also bounces a returned message to that address for lack
 * of a route.
 */
function eximLog(withUnroutableBounce: boolean): string {
  const bounce = [
    "2024-03-04 09:00:00 1rhA00-000Aaa-1x <= <> R=1rh9zz-000Zzz-1x U=Debian-exim P=local S=1500",
    "2024-03-04 09:00:00 1rhA00-000Aaa-1x ** noreply@app.example.net: Unrouteable address",
    "2024-03-04 09:00:00 1rhA00-000Aaa-1x Completed",
  ];
  return [
    ...(withUnroutableBounce ? bounce : []),
    "2024-03-04 10:00:00 1rhA01-000Abc-1x <= noreply@app.example.net H=localhost [127.0.0.1] U=www-data P=esmtp S=1000 id=a1@app.example.net",
    `2024-03-04 10:00:01 1rhA01-000Abc-1x ** bob@example.org R=dnslookup T=remote_smtp: SMTP error from remote mail server after MAIL FROM:<noreply@app.example.net>: host mx.example.org [198.51.100.7]: ${REPLY}`,
    "2024-03-04 10:00:01 1rhA01-000Abc-1x Completed",
    "",
  ].join("\n");
}

async function diagnose(log: string, format = "json"): Promise<string> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", format, temporary.file(log)]);
  return result.stdout;
}

test("sender domain comes before PTR", async () => {
  const diagnosis = JSON.parse(await diagnose(eximLog(true))) as Diagnosis;
  const ids = diagnosis.findings.map((finding) => finding.id);

  expect(ids).toContain("authentication");
  expect(ids).toContain("reverse-dns");
  expect(ids.indexOf("authentication")).toBeLessThan(ids.indexOf("reverse-dns"));
});

test("unroutable sender domain named", async () => {
  const diagnosis = JSON.parse(await diagnose(eximLog(true))) as Diagnosis;
  const authentication = diagnosis.findings.find((finding) => finding.id === "authentication");

  expect(authentication?.title).toContain("app.example.net");
  expect(authentication?.summary).toContain("finds no route to app.example.net");
  expect(authentication?.summary).toContain('1 bounce "Unrouteable address"');
  const evidence = authentication?.evidence as Record<string, unknown>;
  expect(evidence["unroutableSenderDomains"]).toEqual([
    expect.objectContaining({ domain: "app.example.net", bounces: 1, line: 2 }),
  ]);
  expect(authentication?.fix[0]).toContain("Publish an MX or A record for app.example.net");
  expect(authentication?.fix[1]).toContain("envelope sender of app.example.net");
});

test("no route sentence without bounce", async () => {
  const diagnosis = JSON.parse(await diagnose(eximLog(false))) as Diagnosis;
  const authentication = diagnosis.findings.find((finding) => finding.id === "authentication");

  expect(authentication?.summary).not.toContain("finds no route");
  const evidence = authentication?.evidence as Record<string, unknown>;
  expect(evidence["unroutableSenderDomains"]).toEqual([]);
  expect(authentication?.fix.join(" ")).not.toContain("Find the account or program");
});

test("text and Markdown name the route", async () => {
  const text = await diagnose(eximLog(true), "text");
  const markdown = await diagnose(eximLog(true), "markdown");

  expect(text.replace(/\s+/g, " ")).toContain("finds no route to app.example.net");
  expect(markdown.replace(/\s+/g, " ")).toContain("finds no route to app.example.net");
  expect(text.indexOf("authentication")).toBeLessThan(text.indexOf("reverse-dns"));
  expect(markdown.indexOf("authentication")).toBeLessThan(markdown.indexOf("reverse-dns"));
});
