import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

interface Diagnosis {
  verdict: { status: string };
  input: { firstTime: string; notes: string[] };
  providers: Record<string, { status: string; sent: number; bounced: number }>;
}

const GMAIL = "H=gmail-smtp-in.l.google.com [192.0.2.200]";
const DMARC_BOUNCE =
  "SMTP error from remote mail server after end of data: 550-5.7.26 Unauthenticated email " +
  "from example.com is not accepted due to domain's DMARC policy. gsmtp";

// A CRI log of an Exim container in UTC that was restarted on 2024-03-06 at 12:00 and printed
// its five Gmail bounces of 2024-03-04 again, then delivered 12 messages to Gmail.
function replayedBlockLog(): string {
  const lines: string[] = [];
  for (let k = 0; k < 5; k++) {
    const id = `1rhA${k}a-000Abc-1x`;
    const old = [
      `2024-03-04 09:1${k}:01 ${id} <= alice@example.com H=a.example.com [192.0.2.10] S=1200`,
      `2024-03-04 09:1${k}:02 ${id} ** bob${k}@gmail.com R=dnslookup T=remote_smtp ${GMAIL}: ${DMARC_BOUNCE}`,
      `2024-03-04 09:1${k}:02 ${id} Completed`,
    ];
    for (const line of old) lines.push(`2024-03-06T12:00:00.${lines.length}Z stdout F ${line}`);
  }
  for (let k = 0; k < 12; k++) {
    const id = `1rhC${String(k).padStart(2, "0")}-000Abc-1x`;
    const minute = `${12 + Math.floor(k / 4)}:${String((k % 4) * 15 + 1).padStart(2, "0")}`;
    const fresh = [
      `${id} <= alice@example.com H=a.example.com [192.0.2.10] S=1200`,
      `${id} => dan${k}@gmail.com R=dnslookup T=remote_smtp ${GMAIL} C="250 2.0.0 OK"`,
      `${id} Completed`,
    ];
    for (const line of fresh) {
      lines.push(`2024-03-06T${minute}:01.5Z stdout F 2024-03-06 ${minute}:01 ${line}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

describe("replayed container lines", () => {
  it("keep the date of a lifted block", async () => {
    const path = temporary.file(replayedBlockLog(), "replay.log");
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const diagnosis = JSON.parse(result.stdout) as Diagnosis;
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.input.firstTime).toBe("2024-03-04T09:10:01Z");
    expect(diagnosis.providers["gmail"]?.sent).toBe(12);
    expect(diagnosis.providers["gmail"]?.bounced).toBe(5);
    const notes = diagnosis.input.notes.filter((note) => note.includes("replayed"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("15 lines were printed by the container runtime later");
  });
});
