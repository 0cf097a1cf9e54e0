import { describe, expect, test } from "vitest";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

/**
 * Returns the Sendmail lines of one local `mail` command by root whose recipients are `words`,
 * handed to the MTA on 127.0.0.1. Words without @ bounce as unknown users and `root` is sent.
 */
function mailCommand(minute: number, words: readonly string[]): string[] {
  const id = `4AB${String(minute).padStart(2, "0")}C1d00${String(minute).padStart(4, "0")}`;
  const stamp = `Mar  4 10:${String(minute).padStart(2, "0")}:05 mail sendmail[${4000 + minute}]`;
  const relay = "mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1]";
  const lines = [
    `${stamp}: ${id}: from=root, size=30, class=0, nrcpts=${words.length}, msgid=<${id}@mail.example.com>, relay=root@localhost`,
  ];
  for (const word of words) {
    const result =
      word === "root"
        ? "dsn=2.0.0, stat=Sent (4AB00C1e000001 Message accepted for delivery)"
        : "dsn=5.1.1, stat=User unknown";
    lines.push(
      `${stamp}: ${id}: to=${word}, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, ${relay}, ${result}`,
    );
  }
  return lines;
}

describe("recipients without @ from one command line", () => {
  // Two commands that passed a subject as recipients, and one message to two mistyped users.
  const log = [
    ...mailCommand(1, ["root", "Disk", "is", "almost", "full", "again"]),
    ...mailCommand(2, ["root", "Backup", "failed", "tonight"]),
    ...mailCommand(3, ["alcie", "bbo"]),
  ].join("\n");

  test("JSON counts them apart", async () => {
    const diagnosis = await diagnoseText(`${log}\n`, { year: 2024 });
    const failures = diagnosis.localDeliveryFailures;
    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(failures.bounced).toBe(10);
    expect(failures.bareWords).toEqual({
      bounced: 8,
      messages: 2,
      words: ["Disk", "is", "almost", "full", "again"],
    });
  });

  test("text report gives the hint", async () => {
    const path = temporary.file(`${log}\n`);
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--no-progress", path]);
    const flat = result.stdout.replace(/\s+/g, " ");
    expect(flat).toContain(
      "Failed deliveries to loopback addresses: 0 deferred, 10 bounced. 8 of the bounces went to recipients without @, 3 or more in each of 2 messages, such as Disk, is, almost, full, again.",
    );
  });

  test("two mistyped users give no hint", async () => {
    const diagnosis = await diagnoseText(`${mailCommand(3, ["alcie", "bbo"]).join("\n")}\n`, {
      year: 2024,
    });
    expect(diagnosis.localDeliveryFailures.bounced).toBe(2);
    expect(diagnosis.localDeliveryFailures.bareWords).toBeNull();
  });
});
