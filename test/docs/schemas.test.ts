import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";

// The tests of each command validate its output against its schema (the monitor's tests also
// its configuration and alerts) through test/helpers/schema.ts, which compiles in strict mode.

const DOCS = new URL("../../docs/", import.meta.url);
const ID_BASE = "https://delist.example/schemas/";
const NAMES = readdirSync(DOCS)
  .filter((name) => name.endsWith(".schema.json"))
  .sort();

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

  it("closes every object of logs", () => {
    expect(openObjects(readSchema("logs.schema.json"))).toEqual([]);
  });

  it("strict mode rejects an undefined required property", () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    const schema = { type: "object", required: ["name"], properties: { other: {} } };
    expect(() => ajv.compile(schema)).toThrow(/strictRequired/);
  });
});
