import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const validate = schemaValidator("diagnose.schema.json");
const temporary = temporaryFiles();

/**
 * Builds a zone in which 192.0.2.25 passes SPF for example.com and its subdomain
 * news.example.com, under the DMARC record `dmarc` of example.com.
 */
function zoneWith(dmarc: string): string {
  return [
    "$TTL 1h",
    "$ORIGIN example.com.",
    "@      IN MX  10 mail",
    '@      IN TXT "v=spf1 ip4:192.0.2.25 -all"',
    "mail   IN A   192.0.2.25",
    `_dmarc IN TXT "${dmarc}"`,
    "news   IN MX  10 mail.example.com.",
    'news   IN TXT "v=spf1 ip4:192.0.2.25 -all"',
    "$ORIGIN 2.0.192.in-addr.arpa.",
    "25     IN PTR mail.example.com.",
    "",
  ].join("\n");
}

/** Builds a day of mail from `sender`, each message accepted by Gmail. */
function logOf(sender: string): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: sender,
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${hour}@gmail.com`, outcome: SENT }],
    });
  }
  return log.text();
}

interface DomainChecks {
  domain: string;
  dmarcPolicy: string | null;
  dmarcAppliedPolicy: string | null;
  dmarcAppliedPolicyTag: string | null;
  dmarcStatedPolicy: string | null;
  dmarcPct: number | null;
}

interface DiagnoseJson {
  checks: { domains: DomainChecks[] } | null;
  readiness: { items: Array<{ id: string; status: string; detail: string }> };
  findings: Array<{ id: string; evidence: Record<string, unknown> }>;
}

/** Runs diagnose on a day of mail from `sender`, with `ip` as the sending IP. */
async function diagnose(
  sender: string,
  dmarc: string,
  format: "text" | "markdown" | "json",
  ip = "192.0.2.25",
): Promise<string> {
  const result = await runCommand([
    "diagnose",
    "--timezone",
    "UTC",
    temporary.file(logOf(sender)),
    "--zone",
    temporary.file(zoneWith(dmarc), "example.zone"),
    "--ip",
    ip,
    "--format",
    format,
  ]);
  expect(result.stderr).toBe("");
  return result.stdout;
}

async function diagnoseJson(sender: string, dmarc: string, ip?: string): Promise<DiagnoseJson> {
  const json = JSON.parse(await diagnose(sender, dmarc, "json", ip)) as DiagnoseJson;
  expect(validate(json)).toEqual([]);
  return json;
}

/** Returns the DNS checks line of `domain` in the text report, joined where it wraps. */
function textLine(text: string, domain: string): string {
  const start = text.indexOf(`\n  ${domain} `);
  const end = text.indexOf("\n  PTR ", start);
  return text.slice(start, end).replace(/\s+/g, " ").trim();
}

describe("diagnose DMARC policy of a sending domain", () => {
  test.each([
    {
      name: "subdomain gets sp=",
      sender: "news@news.example.com",
      dmarc: "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",
      words: "sp=none",
      json: {
        dmarcPolicy: "reject",
        dmarcAppliedPolicy: "none",
        dmarcAppliedPolicyTag: "sp",
        dmarcStatedPolicy: "none",
        dmarcPct: 100,
      },
    },
    {
      name: "subdomain without sp= gets p=",
      sender: "news@news.example.com",
      dmarc: "v=DMARC1; p=quarantine; rua=mailto:d@example.com",
      words: "p=quarantine",
      json: {
        dmarcPolicy: "quarantine",
        dmarcAppliedPolicy: "quarantine",
        dmarcAppliedPolicyTag: "p",
        dmarcStatedPolicy: "quarantine",
        dmarcPct: 100,
      },
    },
    {
      name: "record's own domain keeps p=",
      sender: "news@example.com",
      dmarc: "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",
      words: "p=reject",
      json: {
        dmarcPolicy: "reject",
        dmarcAppliedPolicy: "reject",
        dmarcAppliedPolicyTag: "p",
        dmarcStatedPolicy: "reject",
        dmarcPct: 100,
      },
    },
    {
      name: "pct=0 weakens sp=",
      sender: "news@news.example.com",
      dmarc: "v=DMARC1; p=reject; sp=quarantine; pct=0; rua=mailto:d@example.com",
      words: "none (pct=0 weakens sp=quarantine)",
      json: {
        dmarcPolicy: "reject",
        dmarcAppliedPolicy: "none",
        dmarcAppliedPolicyTag: "sp",
        dmarcStatedPolicy: "quarantine",
        dmarcPct: 0,
      },
    },
    {
      name: "pct=50 keeps p=",
      sender: "news@example.com",
      dmarc: "v=DMARC1; p=reject; pct=50; rua=mailto:d@example.com",
      words: "p=reject with pct=50",
      json: {
        dmarcPolicy: "reject",
        dmarcAppliedPolicy: "reject",
        dmarcAppliedPolicyTag: "p",
        dmarcStatedPolicy: "reject",
        dmarcPct: 50,
      },
    },
  ])("$name", async ({ sender, dmarc, words, json }) => {
    const domain = sender.slice(sender.indexOf("@") + 1);
    const diagnosis = await diagnoseJson(sender, dmarc);
    const text = await diagnose(sender, dmarc, "text");
    const markdown = await diagnose(sender, dmarc, "markdown");

    expect(diagnosis.checks?.domains).toEqual([expect.objectContaining({ domain, ...json })]);
    expect(textLine(text, domain)).toMatch(new RegExp(`, DMARC ${escape(words)}$`));
    expect(markdown).toContain(
      `- **${domain}**: SPF pass (0 lookups), DKIM warn, DMARC ${words}\n`,
    );
  });

  test("missing record gives nulls", async () => {
    const diagnosis = await diagnoseJson("news@news.example.com", "not a DMARC record");
    const checks = diagnosis.checks?.domains[0];

    expect(checks?.dmarcPolicy).toBeNull();
    expect(checks?.dmarcAppliedPolicy).toBeNull();
    expect(checks?.dmarcAppliedPolicyTag).toBeNull();
    expect(checks?.dmarcStatedPolicy).toBeNull();
    expect(checks?.dmarcPct).toBeNull();
    expect(
      textLine(
        await diagnose("news@news.example.com", "not a DMARC record", "text"),
        "news.example.com",
      ),
    ).toMatch(/, DMARC fail$/);
  });

  test("failing readiness item names applied policy", async () => {
    const dmarc = "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com";
    // 192.0.2.99 is not in the SPF record, so the SPF, DKIM and DMARC item fails.
    const diagnosis = await diagnoseJson("news@news.example.com", dmarc, "192.0.2.99");
    const item = diagnosis.readiness.items.find((entry) => entry.id === "spf-dkim-dmarc");
    const text = await diagnose("news@news.example.com", dmarc, "text", "192.0.2.99");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toBe("news.example.com: SPF fail, DKIM warn, DMARC sp=none");
    expect(text.replace(/\s+/g, " ")).toContain(
      "DMARC published: news.example.com: SPF fail, DKIM warn, DMARC sp=none",
    );
  });

  test("authentication evidence has applied policy", async () => {
    const dmarc = "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com";
    const diagnosis = await diagnoseJson("news@news.example.com", dmarc, "192.0.2.99");
    const found = diagnosis.findings.find((entry) => entry.id === "authentication");
    const domains = found?.evidence["domains"] as Array<Record<string, unknown>> | undefined;

    expect(domains?.[0]?.["dmarcPolicy"]).toBe("reject");
    expect(domains?.[0]?.["dmarcAppliedPolicy"]).toBe("none");
  });
});

/** Escapes `text` for use inside a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
