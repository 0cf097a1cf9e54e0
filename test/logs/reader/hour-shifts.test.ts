import { describe, expect, test } from "vitest";
import type { MtaName } from "../../../src/logs/events.js";
import { HourShiftCounts, hourShiftNote } from "../../../src/logs/reader/hour-shifts.js";

// Returns the note on `relay.log` after 6 sampled lines of `mtas`, in turn, found 330 minutes on.
function noteFor(mtas: readonly MtaName[]): string {
  const counts = new HourShiftCounts();
  for (let index = 0; index < 6; index += 1) {
    counts.samples += 1;
    counts.addHit(330, "mail.log", mtas[index % mtas.length] ?? "postfix");
  }
  const shifted = counts.shiftedCopy("relay.log");
  if (shifted === null) throw new Error("expected a shifted copy of mail.log");
  return hourShiftNote(shifted);
}

describe("hourShiftNote", () => {
  test.each([
    { mtas: ["postfix"], compared: "with the same queue id, pid and text," },
    { mtas: ["sendmail"], compared: "with the same queue id, pid and text," },
    { mtas: ["exim"], compared: "with the same Exim message id and text," },
    {
      mtas: ["exim", "postfix"],
      compared:
        "with the same queue id, pid and text (Postfix and Sendmail lines) or message id and text (Exim lines),",
    },
  ] as const)("names fields compared for $mtas", ({ mtas, compared }) => {
    const note = noteFor(mtas);

    expect(note).toContain(compared);
    expect(note).toContain("5 hours 30 minutes later (6 of the lines checked)");
  });
});
