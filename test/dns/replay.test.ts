import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerOf } from "./answer.js";
import { describe, expect, it } from "vitest";
import { createDnsContext } from "../../src/dns/context.js";
import { recordingResolver, replayResolver } from "../../src/dns/replay.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";

const zone = parseZoneFile(
  '$ORIGIN example.com.\n@ IN TXT "v=spf1 -all"\nmail IN A 192.0.2.1\n',
  "inline.zone",
);

describe("record and replay", () => {
  it("replays what was recorded", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "delist-dns-")), "answers.json");
    const recording = createDnsContext({ resolver: recordingResolver(zoneResolver(zone), path) });
    await recording.lookup("example.com", "TXT");
    await recording.lookup("missing.example.com", "A");
    await recording.close();

    const replay = createDnsContext({ resolver: await replayResolver(path) });
    const txt = await replay.lookup("example.com", "TXT");
    const missing = await replay.lookup("missing.example.com", "A");
    const unseen = await replay.lookup("mail.example.com", "A");
    expect(answerOf(txt).records).toEqual([["v=spf1 -all"]]);
    expect(missing.ok ? "answer" : missing.kind).toBe("nxdomain");
    expect(unseen.ok ? "answer" : unseen.kind).toBe("not-recorded");
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ version: 1 });
  });

  it("rejects a file that is not a recording", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "delist-dns-")), "bad.json");
    writeFileSync(path, '{"version": 7}');
    await expect(replayResolver(path)).rejects.toThrow(/not a delist DNS recording/);
  });
});
