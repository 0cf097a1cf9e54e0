import { describe, expect, it } from "vitest";
import { fatalKindText } from "../../src/analysis/fatal-kinds.js";
import { eximPanicCauseOf, UNKNOWN_EXIM_PANIC_FIX } from "../../src/knowledge/exim-panic.js";

const cases: readonly (readonly [string, string])[] = [
  [
    'failed to expand "${lookup{$domain}lsearch{/etc/exim4/dkim_domains}}": failed to open /etc/exim4/dkim_domains for linear search: No such file or directory',
    "exim-missing-file",
  ],
  [
    'Failed to expand return path "${if eq{1}{2}}": condition name expected',
    "exim-failed-expansion",
  ],
  ["Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:", "exim-config-error"],
  ['Cannot open main log file "/var/log/exim4/mainlog": Permission denied', "exim-log-file"],
  [
    "socket bind() to port 25 for address 192.0.2.1 failed: Address already in use: daemon abandoned",
    "port-in-use",
  ],
];

describe("eximPanicCauseOf", () => {
  it.each(cases)("reads %s", (line, cause) => {
    const result = eximPanicCauseOf(fatalKindText(line));

    expect(result.cause).toBe(cause);
    expect(result.fix).not.toContain("postfix");
  });

  it("sends an unknown panic to exim -bV", () => {
    const result = eximPanicCauseOf(fatalKindText("spool file of 1rhAAK-000AbU-1x is locked"));

    expect(result).toEqual({ cause: "unknown", fix: UNKNOWN_EXIM_PANIC_FIX });
    expect(result.fix).toContain("exim -bV");
  });
});
