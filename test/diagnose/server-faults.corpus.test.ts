import { describe, expect, test } from "vitest";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles } from "../helpers/diagnose-text.js";

const root = corpusRoot();

// A relay's real log: its queue disk filled up at 14:14, and the relay target d2.example kept
// two recipients deferred with 451 for about two days (delay= up to 178,666 s).
describe.skipIf(root === null)("server faults in postfix_log_analysis mail.log", () => {
  const file =
    root === null ? "" : corpusPath(root, "logs", "real", "postfix_log_analysis", "mail.log");

  test("queue disk full is reported", async () => {
    const diagnosis = await diagnoseFiles([file], { year: 2015 });
    const report = diagnosis.queueSpace;

    expect(report?.rejects).toBe(17);
    expect(report?.warnings).toBe(17);
    expect(report?.first).toBe("2015-10-22T14:14:13Z");
    expect(report?.sample.line).toBe(5338);
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
  });

  test("stuck recipients are listed", async () => {
    const diagnosis = await diagnoseFiles([file], { year: 2015 });
    const detail = diagnosis.providers.other?.deferralDetail;

    expect(detail?.texts[0]?.text).toBe("451 Temporary local problem - please try later");
    expect(detail?.texts[0]?.count).toBe(54);
    expect(detail?.texts[0]?.domains).toEqual(["d2.example"]);
    expect(detail?.maxDelaySeconds).toBe(178_666);
    expect(detail?.longDeferred.map((entry) => entry.recipient).sort()).toEqual([
      "user2@d2.example",
      "user6@d2.example",
    ]);
  });
});
