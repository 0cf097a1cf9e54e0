import { describe, expect, test } from "vitest";
import { wrap } from "../../src/report/wrap.js";

describe("wrap with a date and time", () => {
  test("date stays with its time", () => {
    const lines = wrap("mail from 2024-03-04 10:20:02 to 2024-03-04 10:30:02", "", "", 34);

    expect(lines).toEqual(["mail from 2024-03-04 10:20:02 to", "2024-03-04 10:30:02"]);
  });

  test("zone stays with its time", () => {
    const lines = wrap("read to 2024-03-04 12:10:03+01:00 (Europe/Berlin)", "", "", 40);

    expect(lines).toEqual(["read to", "2024-03-04 12:10:03+01:00 (Europe/Berlin)"]);
  });

  test("UTC stays with its time", () => {
    const lines = wrap("lines to 2026-04-09 23:55:29 (UTC)", "", "", 30);

    expect(lines).toEqual(["lines to", "2026-04-09 23:55:29 (UTC)"]);
  });

  test("other brackets may break", () => {
    const lines = wrap("at 2024-03-04 10:20:02 (mail.log:4)", "", "", 24);

    expect(lines).toEqual(["at 2024-03-04 10:20:02", "(mail.log:4)"]);
  });
});
