import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { MAX_REPEAT } from "../../src/logs/framing/repeats.js";
import { MAX_LATE_LINE_MS } from "../../src/logs/framing/wall-clock.js";
import { KEPT_BYTES } from "../../src/logs/reader/replayed-lines.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_NO_SUCH_USER, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

// Each command's tests validate its output through test/helpers/schema.ts, which compiles in
// strict mode, and the monitor's tests do the same for its configuration and alerts. This file
// adds the checks that no command's test makes.

const DOCS = new URL("../../docs/", import.meta.url);
const ID_BASE = "https://delist.example/schemas/";
const NAMES = readdirSync(DOCS)
  .filter((name) => name.endsWith(".schema.json"))
  .sort();

const temporary = temporaryFiles();

type Schema = Record<string, unknown>;

function readSchema(name: string): Schema {
  return JSON.parse(readFileSync(new URL(name, DOCS), "utf8")) as Schema;
}

/** Lists the JSON Pointers of the subschemas that define `properties` without closing them. */
function openObjects(schema: unknown, pointer = ""): string[] {
  if (Array.isArray(schema)) {
    return schema.flatMap((item, index) => openObjects(item, `${pointer}/${index}`));
  }
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Schema;
  const own = "properties" in node && node["additionalProperties"] !== false ? [pointer] : [];
  const nested = Object.entries(node)
    .filter(([key]) => key !== "const" && key !== "enum")
    .flatMap(([key, value]) => openObjects(value, `${pointer}/${key}`));
  return [...own, ...nested];
}

describe("docs JSON schemas", () => {
  it("lists one schema per output", () => {
    expect(NAMES).toEqual([
      "alert.schema.json",
      "blocklists.schema.json",
      "bounces.schema.json",
      "check.schema.json",
      "diagnose-unusable-input.schema.json",
      "diagnose.schema.json",
      "explain.schema.json",
      "history.schema.json",
      "logs.schema.json",
      "monitor-config.schema.json",
      "probe.schema.json",
      "removal.schema.json",
    ]);
  });

  it.each(NAMES)("%s compiles in strict mode", (name) => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    expect(() => ajv.compile(readSchema(name))).not.toThrow();
  });

  it.each(NAMES)("%s has the shared $id base", (name) => {
    expect(readSchema(name)["$id"]).toBe(`${ID_BASE}${name}`);
  });

  it.each(["logs.schema.json", "diagnose.schema.json"])("%s states the repeat cap", (name) => {
    const text = readFileSync(new URL(name, DOCS), "utf8");
    const description = /"repeatMarkerRecords": \{\s*"description": "([^"]*)"/.exec(text)?.[1];

    expect(description).toContain(`N is capped at ${MAX_REPEAT}`);
    expect(description).toContain(`adds ${MAX_REPEAT - 1}`);
  });

  it.each(["logs.schema.json", "diagnose.schema.json"])("%s states the repeat window", (name) => {
    const text = readFileSync(new URL(name, DOCS), "utf8");
    const description = /"exactRepeatLines": \{\s*"description": "([^"]*)"/.exec(text)?.[1];

    expect(description).toContain(`the last ${KEPT_BYTES / 1024 / 1024} MiB read before`);
    expect(description).toContain(`by more than ${MAX_LATE_LINE_MS / 60_000} minutes`);
  });

  it("closes every object of logs", () => {
    expect(openObjects(readSchema("logs.schema.json"))).toEqual([]);
  });

  it("strict mode rejects an undefined required property", () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    const schema = { type: "object", required: ["name"], properties: { other: {} } };
    expect(() => ajv.compile(schema)).toThrow(/strictRequired/);
  });
});

/**
 * Builds a log in which three senders mail unknown recipients at Gmail: an account, the null
 * sender `<>`, and messages queued before the log starts, whose sender the log does not show.
 */
function unknownSendersLog(): string {
  const log = new PostfixLog();
  for (let i = 0; i < 30; i++) {
    const time = T0 + i * 60_000;
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    const outcome = i % 2 === 0 ? GMAIL_NO_SUCH_USER : SENT;
    const reply =
      outcome === SENT
        ? outcome.reply
        : `host gmail-smtp-in.l.google.com[192.0.2.27] said: ${outcome.reply} (in reply to RCPT TO command)`;
    for (const [prefix, from] of [
      ["A", null],
      ["B", ""],
    ] as const) {
      const id = `${prefix}${i.toString(16).toUpperCase().padStart(9, "0")}`;
      if (from !== null) {
        log.raw(
          time,
          `${stamp} mail postfix/qmgr[3002]: ${id}: from=<${from}>, size=900, nrcpt=1 (queue active)`,
        );
      }
      log.raw(
        time + 1000,
        `${stamp} mail postfix/smtp[3001]: ${id}: to=<${prefix.toLowerCase()}${i}@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=${outcome.dsn}, status=${outcome.status} (${reply})`,
      );
      log.raw(time + 2000, `${stamp} mail postfix/qmgr[3002]: ${id}: removed`);
    }
    log.submit({
      time: time + 30_000,
      account: "anna@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `list${i}@gmail.com`, outcome }],
    });
  }
  return log.text();
}

describe("diagnose JSON schema", () => {
  it("accepts every kind of sender", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(unknownSendersLog()),
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      findings: { id: string; evidence: { senders?: { sender: string | null }[] } }[];
    };
    const finding = diagnosis.findings.find((entry) => entry.id === "unknown-recipients");
    const senders = (finding?.evidence.senders ?? []).map((entry) => entry.sender);

    expect(senders).toContain(null);
    expect(senders).toContain("<>");
    expect(senders).toContain("anna@example.com");
    expect(schemaValidator("diagnose.schema.json")(diagnosis)).toEqual([]);
  });
});
