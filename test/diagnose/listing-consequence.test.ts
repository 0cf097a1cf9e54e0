import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { scriptWeekLog } from "./script-week-log.js";

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

describe("ip-blocklisted after an abuse finding", () => {
  test("listing after the script is a consequence", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: 13 }));
    const listed = findingOf(diagnosis, "ip-blocklisted");

    expect(findingOf(diagnosis, "web-script")?.role).toBe("cause");
    expect(listed?.role).toBe("consequence");
    expect(listed?.summary).toContain(
      "The listing began 13 hours after the abusive sending of the web-script finding (2024-03-07T14:00:30Z)",
    );
  });

  test("verdict names only the script as cause", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: 13 }));

    expect(diagnosis.verdict.summary).toContain("Likely cause: web-script.");
    expect(diagnosis.verdict.summary).not.toContain("ip-blocklisted");
  });

  test("consequence ranks after the causes", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: 13 }));
    const ids = diagnosis.findings.map((finding) => finding.id);
    const causes = diagnosis.findings.filter((finding) => finding.role === "cause");

    expect(causes.map((finding) => finding.id)).toEqual(["web-script"]);
    expect(ids.indexOf("ip-blocklisted")).toBeGreaterThan(ids.indexOf("web-script"));
  });

  test("readiness cause item omits the listing", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: 13 }));
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-identified");

    expect(item?.detail).toBe("Likely cause: web-script.");
  });

  test("listing before the script stays a cause", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: -30 }));
    const listed = findingOf(diagnosis, "ip-blocklisted");

    expect(listed?.role).toBe("cause");
    expect(listed?.summary).not.toContain("The listing began");
  });
});
