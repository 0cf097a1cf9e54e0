import { expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

const REPLY =
  "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 192.0.2.25";

/**
 * Writes an Exim log in which a web application sends as noreply@app.example.net. A receiver
 * rejects that mail with a reply that names both the sender domain and the PTR record. With
 * `withUnroutableBounce`, this server also bounces a returned message to that address for lack
 * of a route.
 */
function eximLog(withUnroutableBounce: boolean, gmailReply = false): string {
  const gmail = [
    "2024-03-04 11:00:00 1rhA02-000Abd-1x <= noreply@app.example.net H=localhost [127.0.0.1] U=www-data P=esmtp S=1000 id=a2@app.example.net",
    `2024-03-04 11:00:01 1rhA02-000Abd-1x ** carol@gmail.com R=dnslookup T=remote_smtp: SMTP error from remote mail server after end of data: host gmail-smtp-in.l.google.com [192.0.2.27]: ${GMAIL_UNAUTHENTICATED}`,
    "2024-03-04 11:00:01 1rhA02-000Abd-1x Completed",
  ];
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
    ...(gmailReply ? gmail : []),
    "",
  ].join("\n");
}

/** Gmail's rejection of a message that passes neither SPF nor DKIM. */
const GMAIL_UNAUTHENTICATED =
  "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550 5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. x1si2 - gsmtp";

async function diagnose(log: string, format = "json", zone: string | null = null): Promise<string> {
  const zoneOptions = zone === null ? [] : ["--zone", temporary.file(zone, "example.zone")];
  const result = await runCommand([
    ...OFFLINE_DIAGNOSE,
    "--format",
    format,
    temporary.file(log),
    ...zoneOptions,
  ]);
  return result.stdout;
}

/** Returns the `authentication` finding of a JSON diagnosis. */
async function authenticationOf(log: string, zone: string | null = null): Promise<Finding> {
  const diagnosis = JSON.parse(await diagnose(log, "json", zone)) as Diagnosis;
  const found = diagnosis.findings.find((finding) => finding.id === "authentication");
  expect(found).toBeDefined();
  return found as Finding;
}

/** Builds a zone for example.net. With `appMx`, app.example.net has an MX record, else no record. */
function exampleNetZone(appMx: boolean): string {
  return [
    "$TTL 1h",
    "$ORIGIN example.net.",
    "@    IN MX 10 mail",
    "mail IN A  192.0.2.30",
    ...(appMx ? ["app  IN MX 10 mail.example.net."] : []),
    "",
  ].join("\n");
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

test("title names DNS failure from bounces", async () => {
  const authentication = await authenticationOf(eximLog(true));

  expect(authentication.title).toBe(
    "The sender domain app.example.net does not resolve in DNS, so receivers reject its mail",
  );
  expect(authentication.summary).toContain("for a sender domain that does not resolve");
});

test("invalid title without evidence", async () => {
  const authentication = await authenticationOf(eximLog(false));

  expect(authentication.title).toBe(
    "Receivers reject the sender domain app.example.net as invalid",
  );
  expect(authentication.summary).toContain("1 attempt for an invalid sender domain");
  expect(authentication.summary).not.toContain("resolve");
  expect(authentication.fix[0]).toBe(
    "Check with `delist check app.example.net` that app.example.net has an MX or A record, and publish one where it is missing, or send with an envelope sender (MAIL FROM) of a domain that resolves.",
  );
  expect(authentication.fix[1]).toContain("sender address verification");
  expect(authentication.fix.join(" ")).not.toContain("Publish an MX or A record");
});

test("title names DNS failure from DNS check", async () => {
  const authentication = await authenticationOf(eximLog(false), exampleNetZone(false));
  const evidence = authentication.evidence as Record<string, unknown>;

  expect(authentication.title).toBe(
    "The sender domain app.example.net does not resolve in DNS, so receivers reject its mail",
  );
  expect(authentication.summary).toContain(
    "DNS shows neither an MX nor an address record for app.example.net.",
  );
  expect(evidence["senderDomainsWithoutRecords"]).toEqual(["app.example.net"]);
  expect(authentication.fix).toContain(
    "Publish an MX or A record for app.example.net, or send with an envelope sender (MAIL FROM) of a domain that resolves.",
  );
});

test("domain with MX stays invalid", async () => {
  const authentication = await authenticationOf(eximLog(false), exampleNetZone(true));
  const evidence = authentication.evidence as Record<string, unknown>;

  expect(authentication.title).toBe(
    "Receivers reject the sender domain app.example.net as invalid",
  );
  expect(evidence["senderDomainsWithoutRecords"]).toEqual([]);
});

test.each([
  [false, ", or a sender domain is judged invalid"],
  [true, ", or a sender domain does not resolve in DNS"],
])("mixed replies title, bounce %s", async (withUnroutableBounce, clause) => {
  const authentication = await authenticationOf(eximLog(withUnroutableBounce, true));

  expect(authentication.title).toBe(`Mail from app.example.net fails SPF, DKIM or DMARC${clause}`);
});

test("DNS reply counts for its domain", async () => {
  const gmx = [
    "2024-03-04 12:00:00 1rhA03-000Abe-1x <= info@shop.example.org H=localhost [127.0.0.1] U=www-data P=esmtp S=1000 id=a3@shop.example.org",
    "2024-03-04 12:00:01 1rhA03-000Abe-1x ** dave@gmx.net R=dnslookup T=remote_smtp: SMTP error from remote mail server after MAIL FROM:<info@shop.example.org>: host mx00.emig.gmx.net [192.0.2.40]: 550 Requested action not taken: mailbox unavailable | invalid DNS MX or A/AAAA resource record",
    "2024-03-04 12:00:01 1rhA03-000Abe-1x Completed",
    "",
  ];
  const gmxOnly = await authenticationOf(gmx.join("\n"));
  const both = await authenticationOf(eximLog(false) + gmx.join("\n"));

  expect(gmxOnly.title).toBe(
    "The sender domain shop.example.org does not resolve in DNS, so receivers reject its mail",
  );
  // The GMX reply shows nothing about app.example.net, so the title names no DNS failure.
  expect(both.title).toBe(
    "Receivers reject the sender domains app.example.net and shop.example.org as invalid",
  );
});
