import { describe, expect, test } from "vitest";
import { postfixDeleteCommand } from "../../src/diagnose/findings/queue-commands.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { fixStepLines, splitCommands } from "../../src/report/fix-steps.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { WIDTH } from "../../src/report/wrap.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/** A sender long enough that the Postfix queue command is wider than the text report. */
const SENDER = "shop-newsletter-noreply@example.com";

function compromisedDiagnosis(): Promise<Diagnosis> {
  return diagnoseText(compromisedLog(SENDER));
}

describe("splitCommands", () => {
  test("command of several words stands alone", () => {
    expect(
      splitCommands("Run `postqueue -p | grep -c example.com | tee /tmp/count`, then wait."),
    ).toEqual([
      { kind: "text", text: "Run" },
      { kind: "command", text: "postqueue -p | grep -c example.com | tee /tmp/count" },
      { kind: "text", text: "then wait." },
    ]);
  });

  test("command in parentheses leaves no lone bracket", () => {
    expect(
      splitCommands(
        "Publish a record (at least `v=DMARC1; p=none; rua=mailto:dmarc@example.com`) and align the domain.",
      ),
    ).toEqual([
      { kind: "text", text: "Publish a record at least:" },
      { kind: "command", text: "v=DMARC1; p=none; rua=mailto:dmarc@example.com" },
      { kind: "text", text: "and align the domain." },
    ]);
  });

  test("command that fills the parentheses", () => {
    expect(splitCommands("Check it (`dig +short TXT selector._domainkey.example.com`).")).toEqual([
      { kind: "text", text: "Check it:" },
      { kind: "command", text: "dig +short TXT selector._domainkey.example.com" },
    ]);
  });

  test("two commands in parentheses", () => {
    expect(
      splitCommands(
        "Check port 25 (`iptables -S OUTPUT | grep -- '--dport 25' | head -n 5`, `nft list ruleset | grep -n 'dport 25' | head`, or the egress rules).",
      ),
    ).toEqual([
      { kind: "text", text: "Check port 25:" },
      { kind: "command", text: "iptables -S OUTPUT | grep -- '--dport 25' | head -n 5" },
      { kind: "command", text: "nft list ruleset | grep -n 'dport 25' | head" },
      { kind: "text", text: "or the egress rules." },
    ]);
  });

  test("parentheses without a command stay", () => {
    expect(
      splitCommands("Run (as root) `postqueue -p | grep -c example.com | tee /tmp/count` now."),
    ).toEqual([
      { kind: "text", text: "Run (as root)" },
      { kind: "command", text: "postqueue -p | grep -c example.com | tee /tmp/count" },
      { kind: "text", text: "now." },
    ]);
  });

  test("short command stays in the text", () => {
    expect(
      splitCommands("Retry the mail (Postfix: `postqueue -f`; Exim: `exim -qff`) soon."),
    ).toEqual([
      { kind: "text", text: "Retry the mail (Postfix: `postqueue -f`; Exim: `exim -qff`) soon." },
    ]);
  });

  test("one-word span stays in the text", () => {
    expect(splitCommands("List the queue with `mailq` first.")).toEqual([
      { kind: "text", text: "List the queue with `mailq` first." },
    ]);
  });

  test("double fence loses its padding", () => {
    expect(
      splitCommands(
        "Dovecot: `` doveadm kick 'a-long-account-name`with-a-backtick@example.com' ``.",
      ),
    ).toEqual([
      { kind: "text", text: "Dovecot:" },
      { kind: "command", text: "doveadm kick 'a-long-account-name`with-a-backtick@example.com'" },
    ]);
  });

  test("log value opens no command", () => {
    const value = "a-long-account-name`with-a-backtick@example.com";
    const step = `Ask ${value} now. Dovecot: \`\` doveadm kick '${value}' \`\``;

    expect(splitCommands(step, [value])).toEqual([
      { kind: "text", text: `Ask ${value} now. Dovecot:` },
      { kind: "command", text: `doveadm kick '${value}'` },
    ]);
  });

  test("command may start the step", () => {
    expect(
      splitCommands("`exiqgrep -i -f '^<a@example\\.com>$' | xargs exim -Mrm` empties it."),
    ).toEqual([
      { kind: "command", text: "exiqgrep -i -f '^<a@example\\.com>$' | xargs exim -Mrm" },
      { kind: "text", text: "empties it." },
    ]);
  });
});

describe("fixStepLines command indent", () => {
  const OPENSSL = "openssl s_client -starttls smtp -connect gmail-smtp-in.l.google.com:25";

  test("command two columns deeper", () => {
    const lines = fixStepLines(
      "Test it: `openssl s_client -connect mx.example.com:25` now.",
      "  1. ",
    );

    expect(lines[1]).toBe("       openssl s_client -connect mx.example.com:25");
  });

  test("command moves left to fit", () => {
    const lines = fixStepLines(`Check the handshake: \`${OPENSSL}\` from the server.`, "      3. ");

    expect(OPENSSL.length).toBe(70);
    expect(lines[1]).toBe(`          ${OPENSSL}`);
    expect(lines[1]?.length).toBe(WIDTH);
    expect(lines[2]).toBe("         from the server.");
  });

  test("wider command stays in its step", () => {
    const command = `${OPENSSL} -servername gmail-smtp-in.l.google.com`;
    const lines = fixStepLines(`Run \`${command}\`.`, "      3. ");

    expect(command.length).toBeGreaterThan(WIDTH - 4);
    expect(lines[1]).toBe(`           ${command}`);
  });

  test("command fitting at minimum indent", () => {
    const command = `${OPENSSL} -crlf`;
    const lines = fixStepLines(`Run \`${command}\`.`, "      3. ");

    expect(command.length).toBe(WIDTH - 4);
    expect(lines[1]).toBe(`    ${command}`);
  });

  test("shallow text keeps its indent", () => {
    const command = `${OPENSSL} -servername gmail-smtp-in.l.google.com`;
    const lines = fixStepLines(`Run \`${command}\`.`, "");

    expect(lines[0]).toBe("Run");
    expect(lines[1]).toBe(`  ${command}`);
  });
});

describe("fixStepLines wide pipelines", () => {
  const SENDER_WORD = "SENDER=shop-newsletter-noreply@example.com";
  const AWK_PROGRAM = `'BEGIN { RS = "" } $7 == ENVIRON["SENDER"] { print $1 }'`;

  test("breaks after pipes and words", () => {
    const command = postfixDeleteCommand(SENDER);
    const lines = fixStepLines(`Postfix: \`${command}\`.`, "      3. ");

    expect(lines).toEqual([
      "      3. Postfix:",
      "           mailq | tail -n +2 |",
      `             ${SENDER_WORD} awk \\`,
      `             ${AWK_PROGRAM} |`,
      "             tr -d '*!' | postsuper -d -",
    ]);
  });

  test("lines join to the command", () => {
    const command = postfixDeleteCommand(SENDER);
    const lines = fixStepLines(`Run \`${command}\`.`, "      3. ").slice(1);
    const joined = lines
      .map((line) => line.trim())
      .join(" ")
      .replace(/ \\ /g, " ");

    expect(joined).toBe(command);
  });

  test("DNS record stays one line", () => {
    const record = `v=spf1 ${Array.from({ length: 6 }, (_, i) => `ip4:192.0.2.${i}`).join(" ")} -all`;
    const lines = fixStepLines(`Publish \`${record}\` now.`, "      3. ");

    expect(record.length).toBeGreaterThan(WIDTH);
    expect(lines[1]).toBe(`           ${record}`);
  });

  test("long delist command continues", () => {
    const command =
      "delist check shop.example.com newsletters.example.net mail.example.org --ip 203.0.113.49";
    const lines = fixStepLines(`Logs cannot show this; run \`${command}\`.`, "  [-] ", "      ");

    expect(lines).toEqual([
      "  [-] Logs cannot show this; run",
      "        delist check shop.example.com newsletters.example.net mail.example.org \\",
      "          --ip 203.0.113.49",
    ]);
  });

  test("quoted spaces are no break", () => {
    const pattern = `'${"a ".repeat(30)}'`;
    const command = `grep -F ${pattern} /var/log/mail.log | wc -l`;
    const lines = fixStepLines(`Run \`${command}\`.`, "  ");

    expect(lines[1]).toBe(`    grep -F ${pattern} \\`);
    expect(lines[2]).toBe("      /var/log/mail.log | wc -l");
  });
});

describe("fix commands in the text report", () => {
  test("wide command fits the width", async () => {
    const lines = renderDiagnosisText(await compromisedDiagnosis(), painter(false)).split("\n");
    const command = postfixDeleteCommand(SENDER);
    const index = lines.findIndex((entry) => entry.includes("mailq |"));

    expect(command.length).toBeGreaterThan(WIDTH);
    expect(lines[index]).toBe("           mailq | tail -n +2 |");
    expect(lines[index + 3]).toMatch(/postsuper -d -$/);
    expect(lines.filter((entry) => entry.length > WIDTH)).toEqual([]);
  });

  test("text before the command wraps", async () => {
    const lines = renderDiagnosisText(await compromisedDiagnosis(), painter(false)).split("\n");
    const index = lines.findIndex((entry) => entry.includes("mailq |"));

    expect(lines[index - 1]).toMatch(/ Postfix:$/);
    expect(lines.slice(0, index).every((entry) => entry.length <= WIDTH)).toBe(true);
  });
});

describe("fix commands in the Markdown report", () => {
  test("command in a fenced block", async () => {
    const lines = renderDiagnosisMarkdown(await compromisedDiagnosis()).split("\n");
    const index = lines.indexOf(`   ${postfixDeleteCommand(SENDER)}`);

    expect(index).toBeGreaterThan(0);
    expect(lines[index - 1]).toBe("   ```sh");
    expect(lines[index + 1]).toBe("   ```");
  });

  test("step text ends before the block", async () => {
    const lines = renderDiagnosisMarkdown(await compromisedDiagnosis()).split("\n");
    const step = lines.find((line) => line.includes("Delete its queued mail"));

    expect(step).toMatch(/^\d+\. Delete its queued mail, sent as .+, as root\. Postfix:$/);
  });
});

describe("readiness commands in the text report", () => {
  test("long check command stands alone", async () => {
    const diagnosis = await compromisedDiagnosis();
    const lines = renderDiagnosisText(diagnosis, painter(false)).split("\n");
    const item = diagnosis.readiness.items.find((entry) => entry.id === "ptr");
    const command = /`(delist check [^`]+)`/.exec(item?.detail ?? "")?.[1];

    expect(command?.length).toBeGreaterThanOrEqual(40);
    expect(lines).toContain(`        ${command ?? ""}`);
  });

  test("readiness lines fit the width", async () => {
    const text = renderDiagnosisText(await compromisedDiagnosis(), painter(false));
    const section = text.slice(text.indexOf("Removal readiness"));

    expect(section.split("\n").filter((line) => line.length > WIDTH)).toEqual([]);
  });
});
