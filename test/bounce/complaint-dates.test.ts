import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import { isoDate } from "../../src/bounce/mime-shared.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import * as fixture from "./fixtures.js";

async function complaintTimes(raw: string): Promise<Array<string | null>> {
  const { results } = await decodeMessage(raw, "report.eml", createReplyClassifier());
  return results.map((result) => result.time);
}

// The ARF fixture with other header lines: `date` replaces the report's Date header (none
// when null), and `reportFields` go into the feedback report.
function report(date: string | null, reportFields: readonly string[]): string {
  const withDate = date === null ? fixture.ARF : `Date: ${date}\n${fixture.ARF}`;
  return withDate.replace(
    "Feedback-Type: abuse\n",
    `Feedback-Type: abuse\n${reportFields.join("\n")}\n`,
  );
}

describe("complaint dates", () => {
  it("takes the report's Arrival-Date", async () => {
    const times = await complaintTimes(
      report(null, ["Arrival-Date: Thu, 29 Apr 2021 23:34:45 +0000"]),
    );
    expect(times).toEqual(["2021-04-29T23:34:45.000Z", "2021-04-29T23:34:45.000Z"]);
  });

  it("leaves a report without dates undated", async () => {
    const times = await complaintTimes(report(null, []));
    expect(times).toEqual([null, null]);
  });
});

describe("isoDate", () => {
  it("reads RFC 5322 dates", () => {
    expect(isoDate("Thu, 09 Apr 2020 23:34:45 +0900")).toBe("2020-04-09T14:34:45.000Z");
  });

  it("reads a Japanese JST date", () => {
    expect(isoDate("Thu, 9 Apr 2020 23:34:45 JST")).toBe("2020-04-09T14:34:45.000Z");
  });

  it("reads an unknown zone as UTC", () => {
    expect(isoDate("Thu, 9 Apr 2020 23:34:45 IST")).toBe("2020-04-09T23:34:45.000Z");
  });

  it("leaves garbage unread", () => {
    expect(isoDate("not a date")).toBeNull();
  });
});
