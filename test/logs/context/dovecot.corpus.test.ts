import { describe, expect, it } from "vitest";
import { createDovecotParser } from "../../../src/logs/context/dovecot.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { parseLogFile } from "../postfix/log-file.js";

const root = corpusRoot();

/** Reads a real Dovecot sample file of the corpus with the Dovecot parser alone. */
async function parseSample(...parts: string[]) {
  const path = corpusPath(root ?? "", "logs", "real", ...parts);
  const log = await parseLogFile(path, (sink) => [createDovecotParser(sink)], 2005);
  return {
    failures: log.events.filter((event) => event.type === "auth-failure"),
    outcomes: log.outcomes,
  };
}

describe.skipIf(root === null)("Dovecot samples of the corpus", () => {
  // Five login process lines with 1, 2, 1, 1 and 2 attempts, and two passdb lines of user1.
  it("CrowdSec: one failure per attempt", async () => {
    const { failures, outcomes } = await parseSample(
      "crowdsec-hub",
      ".tests",
      "dovecot-logs",
      "dovecot-logs.log",
    );
    expect(failures).toHaveLength(7);
    expect(failures.filter((event) => event.clientIp === "172.17.0.1")).toHaveLength(6);
    expect(failures.filter((event) => event.clientIp === "198.18.0.1")).toHaveLength(1);
    expect(outcomes.unparsed).toBe(0);
  });

  // 14 syslog login process lines: 12 with 1 attempt, 1 with 2 and 1 with 3. The passdb
  // lines of the file (pam, passwd-file, sql, ldap) repeat attempts and are not counted.
  // NOTE: five more login process lines, with a TAI64N stamp or without a host name, do not
  // reach the Dovecot parser, so their attempts are not counted.
  it("fail2ban: one failure per attempt", async () => {
    const { failures, outcomes } = await parseSample(
      "fail2ban",
      "tests",
      "files",
      "logs",
      "dovecot",
    );
    expect(failures).toHaveLength(17);
    // One session of 192.0.2.241 with 3 attempts and one with 1.
    expect(failures.filter((event) => event.clientIp === "192.0.2.241")).toHaveLength(4);
    expect(outcomes.unparsed).toBe(0);
  });
});
