import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  deleteQueuedStep,
  holdQueuedStep,
  sendmailHoldCommand,
  sendmailReleaseCommand,
} from "../../src/diagnose/findings/queue-commands.js";
import type { MtaName } from "../../src/logs/events.js";
import { installedShells } from "../helpers/shell.js";

const SENDMAIL = new Set<MtaName>(["sendmail"]);

/** Queue ids in the 14-character form of Sendmail 8.12 and later. */
const HELD_ID = "4C7F2Ab9012345";
const OTHER_ID = "4C7F2Ab9012399";
const QUARANTINED_ID = "4C7F2Ac9012377";

/** Returns the code spans of a fix step, in order. */
function codeSpans(step: string): string[] {
  return [...step.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
}

describe("Sendmail hold step", () => {
  test("names the hold and release commands", () => {
    const step = holdQueuedStep(["web@example.com"], SENDMAIL);

    expect(step).toMatch(/^Put its queued mail, sent as web@example.com, on hold as root/);
    expect(codeSpans(step)).toEqual([
      "mailq",
      sendmailHoldCommand("ID"),
      "mailq",
      "*",
      "X",
      "-",
      "mailq -qQ",
      sendmailReleaseCommand("ID"),
    ]);
  });

  test("without a sender names them too", () => {
    const step = holdQueuedStep([], SENDMAIL);

    expect(step).toContain(`Sendmail: \`${sendmailHoldCommand("ID")}\`, where ID is an id`);
    expect(step).toContain(`\`${sendmailReleaseCommand("ID")}\` releases one.`);
    expect(step).toContain("`mailq -qQ` lists the held messages");
  });

  test("delete step covers held messages", () => {
    for (const senders of [["web@example.com"], []]) {
      const step = deleteQueuedStep(senders, SENDMAIL);

      expect(step).toContain("the `qf` and `df` files of each id from /var/spool/mqueue");
      expect(step).toContain("with the `hf` file in place of `qf` for a held message");
    }
    expect(deleteQueuedStep(["web@example.com"], SENDMAIL)).toContain(
      "`mailq -qQ` those of held messages",
    );
  });

  test("commands keep the ID placeholder", () => {
    expect(sendmailHoldCommand("ID")).toBe("sendmail -qIID -Q'held by the admin'");
    expect(sendmailReleaseCommand("ID")).toBe("sendmail -qQ -qIID -Q");
  });
});

/**
 * A stand-in for `sendmail` and `mailq` that reads their quarantine options as Sendmail 8.14
 * does in main.c and queue.c. Its queue folder has control files only: `qfID` for a queued
 * message and `hfID` for a quarantined one, whose first line is `q` and the reason.
 *
 * Before option parsing, main.c rewrites a bare `-Q` or `-q` that no word follows (the end of
 * the arguments, or a word that starts with `-`) into `-Q.` or `-q0`. Otherwise getopt takes the
 * next word as its value, because both options take one (`Q:` and `q:`). `-qI` adds an id
 * substring, `-qQ` makes the run pick quarantined messages only, and `-Q` with a reason
 * quarantines the picked messages. `-Q.` releases them. `mailq` lists the ids it picks. A plain
 * queue run, a recipient word or any other option exits with status 3, so a command that would
 * not change the quarantine fails the test.
 */
const STAND_IN = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const queue = process.env.SENDMAIL_QUEUE;
const fail = (message) => { process.stderr.write(message + "\\n"); process.exit(3); };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] !== "-Q" && args[i] !== "-q") continue;
  const next = args[i + 1];
  if (next !== undefined && !next.startsWith("-")) { i++; continue; }
  args[i] = args[i] === "-Q" ? "-Q." : "-q0";
}
const printing = path.basename(process.argv[1]) === "mailq";
const ids = [];
let quarantined = false;
let reason = null;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (!arg.startsWith("-")) fail("recipient or stray word: " + arg);
  const option = arg[1];
  let value = arg.slice(2);
  if (value === "") value = args[++i];
  if (option === "Q" && !printing) reason = value;
  else if (option === "q" && value.startsWith("I")) ids.push(value.slice(1));
  else if (option === "q" && value === "Q") quarantined = true;
  else fail("option not modelled: " + arg);
}
if (!printing && reason === null) fail("a queue run, not a quarantine change");
const prefix = quarantined ? "hf" : "qf";
const picked = fs.readdirSync(queue).filter((name) => name.startsWith(prefix))
  .map((name) => name.slice(2))
  .filter((id) => ids.length === 0 || ids.some((part) => id.includes(part)));
for (const id of picked) {
  if (printing) { console.log(id); continue; }
  const from = path.join(queue, prefix + id);
  const lines = fs.readFileSync(from, "utf8").split("\\n").filter((line) => !line.startsWith("q"));
  if (reason !== ".") lines.unshift("q" + reason);
  fs.rmSync(from);
  fs.writeFileSync(path.join(queue, (reason === "." ? "qf" : "hf") + id), lines.join("\\n"));
}
`;

describe("Sendmail hold commands in a shell", () => {
  let folder: string;
  let queue: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "delist-sendmail-queue-"));
    queue = join(folder, "mqueue");
    writeFileSync(join(folder, "sendmail"), STAND_IN);
    writeFileSync(join(folder, "mailq"), STAND_IN);
    chmodSync(join(folder, "sendmail"), 0o755);
    chmodSync(join(folder, "mailq"), 0o755);
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(() => {
    rmSync(queue, { recursive: true, force: true });
    mkdirSync(queue);
    writeFileSync(join(queue, `qf${HELD_ID}`), "V8\nS<web@example.com>\n.");
    writeFileSync(join(queue, `qf${OTHER_ID}`), "V8\nS<shop@example.com>\n.");
    writeFileSync(join(queue, `hf${QUARANTINED_ID}`), "qvirus found\nV8\nS<info@example.com>\n.");
  });

  /** Runs `command` in `shell` with the stand-ins first on PATH, and returns its output. */
  function run(shell: string, command: string): string {
    return execFileSync(shell, ["-c", command], {
      cwd: folder,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${folder}:${process.env["PATH"] ?? ""}`,
        SENDMAIL_QUEUE: queue,
      },
    });
  }

  function queueFiles(): string[] {
    return readdirSync(queue).sort();
  }

  for (const shell of installedShells()) {
    test(`${shell} holds only the given id`, () => {
      run(shell, sendmailHoldCommand(HELD_ID));

      expect(queueFiles()).toEqual([`hf${HELD_ID}`, `hf${QUARANTINED_ID}`, `qf${OTHER_ID}`]);
      expect(readFileSync(join(queue, `hf${HELD_ID}`), "utf8")).toBe(
        "qheld by the admin\nV8\nS<web@example.com>\n.",
      );
    });

    test(`${shell} lists held ids with mailq -qQ`, () => {
      run(shell, sendmailHoldCommand(HELD_ID));

      expect(run(shell, "mailq -qQ").split("\n").filter(Boolean).sort()).toEqual([
        HELD_ID,
        QUARANTINED_ID,
      ]);
      expect(run(shell, "mailq").trim()).toBe(OTHER_ID);
    });

    test(`${shell} releases only the given id`, () => {
      run(shell, sendmailHoldCommand(HELD_ID));
      run(shell, sendmailReleaseCommand(HELD_ID));

      expect(queueFiles()).toEqual([`hf${QUARANTINED_ID}`, `qf${HELD_ID}`, `qf${OTHER_ID}`]);
      expect(readFileSync(join(queue, `qf${HELD_ID}`), "utf8")).toBe("V8\nS<web@example.com>\n.");
    });
  }
});

describe("Sendmail stand-in", () => {
  // Spellings that look alike but change no quarantine, so the tests above can fail.
  const shell = installedShells()[0] ?? "sh";
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "delist-sendmail-model-"));
    writeFileSync(join(folder, "sendmail"), STAND_IN);
    chmodSync(join(folder, "sendmail"), 0o755);
    mkdirSync(join(folder, "mqueue"));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test.each([
    `sendmail -qI ${HELD_ID} -Q'held by the admin'`,
    `sendmail -qI${HELD_ID} -Q held by the admin`,
    `sendmail -qQ -qI${HELD_ID}`,
  ])("rejects %s", (command) => {
    const env = {
      ...process.env,
      PATH: `${folder}:${process.env["PATH"] ?? ""}`,
      SENDMAIL_QUEUE: join(folder, "mqueue"),
    };

    expect(() => execFileSync(shell, ["-c", command], { env, stdio: "ignore" })).toThrow();
  });
});
