import { VERSION } from "./version.js";

/**
 * Renders the JSON document that `diagnose` and `logs` print in place of their report when the
 * input gives nothing to read, as `docs/diagnose-unusable-input.schema.json` describes it.
 * `messages` are the sentences that go to standard error too.
 */
export function unusableInputJson(messages: readonly string[]): string {
  const document = {
    schemaVersion: 1,
    tool: { name: "delist", version: VERSION },
    error: { code: "unusable-input", messages },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
