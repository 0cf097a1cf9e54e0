import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { HOUR, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseFiles } from "../helpers/diagnose-text.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/**
 * Writes an Exim main log, which has no host names: ten messages to Gmail from `first` to
 * `first + 9` hours after T0, each deferred with a rate-limit reply that names `ip`.
 */
function eximLog(ip: string, first: number, tag: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) {
    const stamp = new Date(T0 + (first + i) * HOUR).toISOString().slice(0, 19).replace("T", " ");
    const id = `1r${tag}${String(i).padStart(3, "0")}-000003-AB`;
    lines.push(`${stamp} ${id} <= office@example.org U=office P=local S=900`);
    lines.push(
      `${stamp} ${id} == friend${tag}${i}@gmail.com R=dnslookup T=remote_smtp defer (-46) H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after end of data: 421-4.7.28 [${ip}      15] Gmail has detected an unusual rate of unsolicited mail originating\\n421 4.7.28 from your IP address. a1si2 - gsmtp`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes `files` (name to text) into one new folder and diagnoses them in the given order. */
function diagnose(files: ReadonlyArray<readonly [string, string]>): Promise<Diagnosis> {
  const folder = mkdtempSync(join(tmpdir(), "delist-test-"));
  folders.push(folder);
  const paths = files.map(([name, text]) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  });
  return diagnoseFiles(paths, { year: 2024 });
}

function ipChanged(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "ip-changed");
}

describe("ip-changed across Exim main logs", () => {
  test("two servers' logs, two IPs", async () => {
    const diagnosis = await diagnose([
      ["srv1-mainlog", eximLog("203.0.113.6", 0, "A")],
      ["web1-mainlog", eximLog("203.0.113.32", 20, "B")],
    ]);

    expect(diagnosis.server.sendingIps).toContain("203.0.113.6");
    expect(diagnosis.server.sendingIps).toContain("203.0.113.32");
    expect(ipChanged(diagnosis)).toBeUndefined();
  });

  test("one rotated set changing IP", async () => {
    const diagnosis = await diagnose([
      ["mainlog.1", eximLog("203.0.113.6", 0, "A")],
      ["mainlog", eximLog("203.0.113.32", 20, "B")],
    ]);
    const found = ipChanged(diagnosis);
    const evidence = found?.evidence as Record<string, unknown> | undefined;

    expect(found?.title).toBe("The sending IP changed from 203.0.113.6 to 203.0.113.32");
    expect(evidence?.["server"]).toMatch(/^exim log .*\/mainlog$/);
    expect(evidence?.["servers"]).toHaveLength(1);
  });

  test("one log changing IP", async () => {
    const text = eximLog("203.0.113.6", 0, "A") + eximLog("203.0.113.32", 20, "B");
    const found = ipChanged(await diagnose([["mainlog", text]]));

    expect(found?.title).toBe("The sending IP changed from 203.0.113.6 to 203.0.113.32");
    expect(found?.fix.join(" ")).toContain("Set the PTR record of 203.0.113.32");
  });
});
