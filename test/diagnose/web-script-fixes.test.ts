import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  deleteQueuedStep,
  eximDeleteCommand,
  postfixDeleteCommand,
  postfixQueueCommand,
} from "../../src/diagnose/findings/queue-commands.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { installedShells } from "../helpers/shell.js";
import { scriptWeekLog } from "./script-week-log.js";

function scriptFinding(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "web-script");
}

describe("web-script names and fixes", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(scriptWeekLog());
  });

  test("title names the script file", () => {
    const found = scriptFinding(diagnosis);

    expect(found?.title).toBe(
      "A web script is sending mail: local script mailer.php, user shopnet, uid 10012",
    );
    expect(found?.title).not.toContain("10012:mailer.php");
  });

  test("evidence splits the script uid", () => {
    const evidence = scriptFinding(diagnosis)?.evidence as Record<string, unknown>;

    expect(evidence["script"]).toBe("mailer.php");
    expect(evidence["scriptUid"]).toBe(10012);
    expect(evidence["uid"]).toBe(10012);
  });

  test("queue step gives a Postfix command", () => {
    const fixes = scriptFinding(diagnosis)?.fix ?? [];
    const step = fixes.find((fix) => fix.startsWith("Delete its queued mail"));

    expect(step).toBe(
      `Delete its queued mail, sent as shopnet@example.com, as root. Postfix: \`${postfixDeleteCommand("shopnet@example.com")}\`.`,
    );
    expect(step).not.toContain("exiqgrep");
    expect(step).not.toContain("for its queue ids");
  });

  test("no header_checks advice when logged", () => {
    const fixes = scriptFinding(diagnosis)?.fix.join("\n") ?? "";

    expect(fixes).not.toContain("header_checks");
    expect(fixes).not.toContain("mail.add_x_header");
    expect(fixes).toContain("Stop the script: find mailer.php (and files changed");
  });

  test("header_checks advice without the header", async () => {
    const found = scriptFinding(await diagnoseText(scriptWeekLog({ scriptHeader: false })));
    const fixes = found?.fix.join("\n") ?? "";

    expect(found).toBeDefined();
    expect(fixes).toContain("`/^X-PHP-Originating-Script:/ WARN`");
  });
});

describe("deleteQueuedStep", () => {
  test("names the MTAs of the log", () => {
    const step = deleteQueuedStep(["web@example.com"], new Set(["exim"]));

    expect(step).toBe(
      "Delete its queued mail, sent as web@example.com, as root. Exim: `exiqgrep -i -f '^<web@example\\.com>$' | xargs exim -Mrm`.",
    );
  });

  test("falls back to Postfix and Exim", () => {
    const step = deleteQueuedStep(["web@example.com"], new Set());

    expect(step).toContain("Postfix: `mailq | tail -n +2 |");
    expect(step).toContain("Exim: `exiqgrep -i -f");
  });

  test("lists the other senders", () => {
    const step = deleteQueuedStep(
      ["web@example.com", "shop@example.com", "info@example.com"],
      new Set(["postfix"]),
    );

    expect(step).toContain("sent as web@example.com");
    expect(step).toContain(
      "Repeat it for its other senders: shop@example.com and info@example.com.",
    );
  });

  test("without a sender keeps placeholders", () => {
    const step = deleteQueuedStep([], new Set(["postfix"]));

    expect(step).toContain("`postsuper -d ID`");
  });

  test("Exim pattern is quoted and literal", () => {
    expect(eximDeleteCommand("a|b'c@example.com")).toBe(
      "exiqgrep -i -f '^<a\\|b'\\''c@example\\.com>$' | xargs exim -Mrm",
    );
  });
});

/**
 * Builds a queue listing as `mailq` prints it: an active message of `sender`, a deferred one
 * of another sender and a held one of `sender`.
 */
function mailqOutput(sender: string): string {
  return [
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------",
    `4C2A81E0B2*     2210 Thu Mar  7 14:00:30  ${sender}`,
    "                                         buyer1@example.net",
    "",
    "8D1F2E3A4B      1500 Thu Mar  7 14:02:30  alice@example.com",
    "(connect to mx.example.net[198.51.100.25]:25: Connection timed out)",
    "                                         client@example.net",
    "",
    `9E0A1B2C3D!     2210 Thu Mar  7 14:04:30  ${sender}`,
    "                                         buyer2@example.net",
    "",
    "-- 6 Kbytes in 3 Requests.",
    "",
  ].join("\n");
}

describe("postfixDeleteCommand in a shell", () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "delist-queue-"));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /**
   * Runs the command with stand-ins for `mailq` and `postsuper` first on PATH, and returns
   * the queue ids that postsuper read from standard input. `action` is the postsuper option
   * that the command must pass, `-d` for `postfixDeleteCommand`.
   */
  function deletedIds(
    shell: string,
    sender: string,
    command = postfixDeleteCommand(sender),
    action = "-d",
  ): string[] {
    writeFileSync(join(folder, "queue.txt"), mailqOutput(sender));
    writeFileSync(join(folder, "mailq"), `#!/bin/sh\ncat '${folder}/queue.txt'\n`);
    writeFileSync(
      join(folder, "postsuper"),
      `#!/bin/sh\n[ "$1 $2" = "${action} -" ] || exit 3\ncat > '${folder}/deleted.txt'\n`,
    );
    chmodSync(join(folder, "mailq"), 0o755);
    chmodSync(join(folder, "postsuper"), 0o755);
    execFileSync(shell, ["-c", command], {
      cwd: folder,
      env: { ...process.env, PATH: `${folder}:${process.env["PATH"] ?? ""}` },
    });
    return readFileSync(join(folder, "deleted.txt"), "utf8").split("\n").filter(Boolean);
  }

  for (const shell of installedShells()) {
    test(`${shell} deletes only the sender's ids`, () => {
      expect(deletedIds(shell, "shopnet@example.com")).toEqual(["4C2A81E0B2", "9E0A1B2C3D"]);
    });

    test(`${shell} holds only the sender's ids`, () => {
      const sender = "shopnet@example.com";
      const command = postfixQueueCommand(sender, "-h");

      expect(deletedIds(shell, sender, command, "-h")).toEqual(["4C2A81E0B2", "9E0A1B2C3D"]);
    });

    test(`${shell} keeps a hostile sender literal`, () => {
      const sender = "x'$(touch${IFS}pwned)\\n\"`id`@example.com";

      expect(deletedIds(shell, sender)).toEqual(["4C2A81E0B2", "9E0A1B2C3D"]);
      expect(() => readFileSync(join(folder, "pwned"))).toThrow();
    });
  }
});

describe("eximDeleteCommand in a shell", () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "delist-exim-queue-"));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /**
   * Runs the command with stand-ins for `exiqgrep` and `exim` first on PATH, over a queue of
   * one message from each of `senders`, and returns the senders of the messages that
   * `exim -Mrm` was given. The exiqgrep stand-in matches its `-f` pattern anywhere in the
   * sender wrapped in `<>`, as exiqgrep(8) of Exim 4.97 does, with a JavaScript RegExp. For
   * the escaped characters of these tests that matches as Perl's regular expressions do.
   */
  function deletedSenders(shell: string, target: string, senders: readonly string[]): string[] {
    const queue = senders.map((sender, index) => `id${index} ${sender}`).join("\n");
    writeFileSync(join(folder, "queue.txt"), `${queue}\n`);
    writeFileSync(
      join(folder, "exiqgrep"),
      [
        "#!/usr/bin/env node",
        "const args = process.argv.slice(2);",
        'if (args.length !== 3 || args[0] !== "-i" || args[1] !== "-f") process.exit(3);',
        "const pattern = new RegExp(args[2]);",
        `const lines = require("node:fs").readFileSync(${JSON.stringify(join(folder, "queue.txt"))}, "utf8");`,
        'for (const line of lines.split("\\n").filter(Boolean)) {',
        '  const [id, sender] = line.split(" ");',
        "  if (pattern.test(`<${sender}>`)) console.log(id);",
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(folder, "exim"),
      `#!/bin/sh\n[ "$1" = "-Mrm" ] || exit 3\nshift\nprintf '%s\\n' "$@" > '${folder}/deleted.txt'\n`,
    );
    chmodSync(join(folder, "exiqgrep"), 0o755);
    chmodSync(join(folder, "exim"), 0o755);
    rmSync(join(folder, "deleted.txt"), { force: true });
    execFileSync(shell, ["-c", eximDeleteCommand(target)], {
      cwd: folder,
      env: { ...process.env, PATH: `${folder}:${process.env["PATH"] ?? ""}` },
    });
    const ids = readFileSync(join(folder, "deleted.txt"), "utf8").split("\n").filter(Boolean);
    return ids.map((id) => senders[Number(id.slice(2))] ?? id);
  }

  /**
   * Senders that an unanchored or unescaped pattern for `target` also matches: a longer local
   * part, a longer domain, any character for each `.`, and the address without its `+`.
   */
  function nearMisses(target: string): string[] {
    return [
      `x${target}`,
      `${target}.au`,
      target.replaceAll(".", "x"),
      target.replace("+", ""),
    ].filter((sender) => sender !== target);
  }

  for (const shell of installedShells()) {
    test.each([
      "crm@example.com",
      "first.last@example.com",
      "news+tag@example.com",
      "no-reply@example.com",
      "o'brien@example.com",
    ])(`${shell} deletes only %s`, (target) => {
      const senders = [...nearMisses(target), target];

      expect(deletedSenders(shell, target, senders)).toEqual([target]);
    });
  }
});
