import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

/**
 * Compiles a JSON Schema from `docs/` in Ajv's strict mode and returns a function that lists
 * validation errors. Strict mode rejects a schema with keywords it ignores, such as a `required`
 * property that the schema does not define, so a mistake in a schema fails the tests.
 */
export function schemaValidator(name: string): (value: unknown) => string[] {
  const schema = JSON.parse(
    readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8"),
  ) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
  };
}
