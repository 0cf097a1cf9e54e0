import { readFileSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import { MAX_STDIN_ZONE_BYTES } from "../../src/cli/zone-input.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

forbidRealNetwork();

const zonePath = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const zoneText = readFileSync(zonePath, "utf8");
const validate = schemaValidator("check.schema.json");

// A zone of its own for a second sending domain, so that a run can merge it with the file.
const SENDER_ZONE = `$ORIGIN sender.example.
$TTL 1h
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mail
@       IN TXT "v=spf1 ip4:192.0.2.40 -all"
mail    IN A   192.0.2.40
_dmarc  IN TXT "v=DMARC1; p=reject"
`;

const MESSAGE =
  "From: News <news@example.com>\r\nTo: reader@example.org\r\nSubject: Hello\r\n\r\nHello.\r\n";

interface CheckJson {
  verdict: string;
  input: { resolver: string; offline: boolean };
  domains: { domain: string; spf: { record: string | null; verdict: string } }[];
  findings: { id: string }[];
  readiness: { id: string; status: string }[];
}

async function checkJson(args: readonly string[], stdin = "") {
  const result = await runCommand(["check", ...args, "--format", "json"], stdin);
  return { ...result, json: JSON.parse(result.stdout) as CheckJson };
}

/** Creates an endless standard input that counts the bytes it produced. */
function endlessInput(): { stream: Readable; producedBytes: () => number } {
  const line = Buffer.from('; a comment line that never ends the zone "x"\n');
  const chunk = Buffer.concat(Array.from({ length: 1024 }, () => line));
  let produced = 0;
  const stream = new Readable({
    read() {
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, producedBytes: () => produced };
}

describe("check --zone - from standard input", () => {
  it("reports what the zone file reports", async () => {
    const args = ["example.com", "example.net", "--ip", "192.0.2.25"];
    const fromFile = await checkJson([...args, "--zone", zonePath]);
    const fromStdin = await checkJson([...args, "--zone", "-"], zoneText);

    expect(fromStdin.stderr).toBe("");
    expect(validate(fromStdin.json)).toEqual([]);
    expect(fromStdin.json.input.resolver).toBe("zone standard input");
    expect(fromStdin.json.input.offline).toBe(true);
    expect(fromStdin.json.verdict).toBe(fromFile.json.verdict);
    expect(fromStdin.json.domains).toEqual(fromFile.json.domains);
    expect(fromStdin.json.findings).toEqual(fromFile.json.findings);
    expect(fromStdin.json.readiness).toEqual(fromFile.json.readiness);
    expect(fromStdin.code).toBe(fromFile.code);
  });

  it("merges standard input with zone files", async () => {
    const { json, stderr } = await checkJson(
      ["example.com", "sender.example", "--zone", zonePath, "-"],
      SENDER_ZONE,
    );

    expect(stderr).toBe("");
    expect(validate(json)).toEqual([]);
    expect(json.input.resolver).toBe(`zone ${zonePath}, standard input`);
    expect(json.domains.map((d) => d.domain)).toEqual(["example.com", "sender.example"]);
    expect(json.domains[0]?.spf.record).toContain("ip4:192.0.2.25");
    expect(json.domains[1]?.spf.record).toBe("v=spf1 ip4:192.0.2.40 -all");
  });

  it("names standard input in a syntax error", async () => {
    const result = await runCommand(
      ["check", "example.com", "--zone", "-"],
      "$ORIGIN example.com.\n@ IN MX mail\n",
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^delist: standard input, line 2: /);
    expect(result.stdout).toBe("");
  });

  it("names standard input in a skipped-record note", async () => {
    const zone = `${SENDER_ZONE}www IN ALIAS host.example.net.\n`;
    const result = await runCommand(["check", "sender.example", "--zone", "-"], zone);

    expect(result.stderr).toContain("delist: note: standard input, line 8: skipped the ALIAS");
    expect(result.stdout).toContain("sender.example");
  });

  it("rejects - given twice to --zone", async () => {
    const result = await runCommand(["check", "example.com", "--zone", "-", "-"], zoneText);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "delist: --zone names - (standard input) 2 times, but standard input can be read only " +
        "once: give - once and put the other zones into files\n",
    );
    expect(result.stdout).toBe("");
  });

  it("rejects --zone - with --message -", async () => {
    const result = await runCommand(
      ["check", "example.com", "--zone", "-", "--message", "-"],
      zoneText + MESSAGE,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "delist: --zone - and --message - both read standard input, which can be read only " +
        "once: save the zone or the message to a file and give its path\n",
    );
    expect(result.stdout).toBe("");
  });

  it("reads the message from stdin with a zone file", async () => {
    const { json, code } = await checkJson(
      ["example.com", "--zone", zonePath, "--message", "-"],
      MESSAGE,
    );

    expect(validate(json)).toEqual([]);
    expect(json.input.resolver).toBe(`zone ${zonePath}`);
    expect(code).toBe(1);
  });

  it("stops reading an endless standard input", async () => {
    const input = endlessInput();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let stderrText = "";
    stdout.resume();
    stderr.on("data", (data: Buffer) => (stderrText += data.toString()));
    const io: CliIo = { stdout, stderr, stdin: input.stream, env: {}, cwd: process.cwd() };

    const code = await runCli(["check", "example.com", "--zone", "-"], io);

    expect(code).toBe(2);
    expect(stderrText).toBe(
      "delist: standard input is larger than the 64 MiB limit of --zone -, so delist stopped " +
        "reading it: save the zone to a file and give --zone the file's path\n",
    );
    expect(input.producedBytes()).toBeGreaterThan(MAX_STDIN_ZONE_BYTES);
    expect(input.producedBytes()).toBeLessThan(MAX_STDIN_ZONE_BYTES + 1024 * 1024);
  });
});
