import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

forbidRealNetwork();

const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const validate = schemaValidator("check.schema.json");

/** Builds an unsigned sample message. A null `from` leaves out the From header. */
function sampleMessage(from: string | null): string {
  const fromHeader = from === null ? "" : `From: News <${from}>\r\n`;
  return `${fromHeader}To: reader@example.org\r\nSubject: Hello\r\n\r\nHello.\r\n`;
}

/** Runs `delist check DOMAINS` on the example zone, with the sample on standard input if given. */
async function checkJson(domains: readonly string[], sample: string | null) {
  const messageArgs = sample === null ? [] : ["--message", "-"];
  const argv = ["check", ...domains, "--ip", "192.0.2.25", "--zone", zone, ...messageArgs];
  const result = await runCommand([...argv, "--format", "json"], sample ?? "");
  return { ...result, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

describe("check JSON messageDomain", () => {
  it("is null without --message", async () => {
    const { json, stderr } = await checkJson(["example.com"], null);

    expect(stderr).toBe("");
    expect(validate(json)).toEqual([]);
    expect(json["message"]).toBeNull();
    expect(json).toHaveProperty("messageDomain", null);
  });

  it("names the From domain checked", async () => {
    const { json, stderr } = await checkJson(["example.com"], sampleMessage("news@example.com"));

    expect(stderr).toBe("");
    expect(validate(json)).toEqual([]);
    expect(json["messageDomain"]).toBe("example.com");
  });

  it("names the first of several domains", async () => {
    const domains = ["example.net", "example.com"];
    const { json } = await checkJson(domains, sampleMessage("news@example.net"));

    expect(validate(json)).toEqual([]);
    expect(json["messageDomain"]).toBe("example.net");
  });

  it("is the first domain without From", async () => {
    const { json } = await checkJson(["example.com"], sampleMessage(null));

    expect(validate(json)).toEqual([]);
    expect(json["messageDomain"]).toBe("example.com");
  });

  it("is null for another From domain", async () => {
    const { json } = await checkJson(["example.com"], sampleMessage("news@example.org"));

    expect(validate(json)).toEqual([]);
    expect(json["message"]).toMatchObject({ fromDomain: "example.org" });
    expect(json["messageDomain"]).toBeNull();
  });

  it("is required by the schema", async () => {
    const { json } = await checkJson(["example.com"], sampleMessage("news@example.com"));
    const withoutField = { ...json };
    delete withoutField["messageDomain"];

    expect(validate(withoutField)).toEqual([" must have required property 'messageDomain'"]);
    expect(validate({ ...json, messageDomain: 1 })).toEqual(["/messageDomain must be string,null"]);
  });
});
