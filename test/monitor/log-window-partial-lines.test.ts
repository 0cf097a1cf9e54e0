import { describe, expect, it } from "vitest";
import type { InputReport } from "../../src/diagnose/types.js";
import { LogWindow } from "../../src/monitor/log-window.js";
import { resolveTimeZone } from "../../src/time/zone.js";

// CRI lines that containerd split into parts, fed to a monitor window as `delist monitor`
// follows a container log.

const UTC = resolveTimeZone("UTC");
const NOW = Date.UTC(2024, 2, 5);
const HEADER = "Mar  4 09:15:02 mx1 postfix/smtp[2007]: 3F1A2B0103: ";

function cri(stream: string, tag: "P" | "F", text: string): string {
  return `2024-03-04T09:15:02.5Z ${stream} ${tag} ${text}`;
}

// Feeds `text` to a window in chunks of `chunkBytes` and returns its input report.
function windowInput(text: string, chunkBytes: number, maxLineBytes?: number): InputReport {
  const window = new LogWindow(UTC, maxLineBytes === undefined ? {} : { maxLineBytes });
  const bytes = Buffer.from(text, "latin1");
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    window.add("postfix.log", NOW, bytes.subarray(start, start + chunkBytes), start === 0);
  }
  return window.finish(NOW, "test").diagnosis.input;
}

describe("LogWindow CRI partial lines", () => {
  const lines = [
    cri("stdout", "P", `${HEADER}to=<a@example.com>, relay=none, `),
    cri("stderr", "P", `${HEADER}to=<b@example.com>, `),
    cri("stdout", "F", "delay=1, dsn=5.0.0, status=bounced (mail for example.com loops)"),
    // The container stopped before the last part of the stderr line.
    cri("stderr", "P", "relay=none, delay=1, dsn=4.4.1, status=deferred (connect timed out)"),
  ];
  const text = `${lines.join("\n")}\n`;

  it("joins parts across chunks", () => {
    const input = windowInput(text, 17);

    expect(input.lines).toBe(4);
    expect(input.records).toBe(2);
    expect(input.unrecognised).toBe(0);
    expect(input.unparsed).toBe(0);
    // The two parts joined to the part after them are ignored lines.
    expect(input.parsed + input.ignored).toBe(4);
    expect(input.overlong).toBe(0);
  });

  it("counts a cut join as overlong", () => {
    const input = windowInput(text, 4096, 120);

    expect(input.lines).toBe(4);
    expect(input.records).toBe(2);
    expect(input.overlong).toBe(2);
  });
});
