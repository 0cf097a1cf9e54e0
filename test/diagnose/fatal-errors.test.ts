import { expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const DELIVERY = [
  "Mar  4 09:00:00 mx1 postfix/qmgr[902]: 4B7E21C0A3: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)",
  "Mar  4 09:00:01 mx1 postfix/smtp[903]: 4B7E21C0A3: to=<bob@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
];

const FATAL_LINES = [
  "Mar  4 10:15:00 mx1 postfix/sendmail[3072]: fatal: Recipient addresses must be specified on the command line or via the -t option",
  "Mar  4 10:16:00 mx1 postfix[3281]: fatal: open /etc/postfix/main.cf: No such file or directory",
  "Mar  4 10:17:30 mx1 postfix/postfix-script[3290]: fatal: the Postfix mail system is not running",
  "Mar  4 10:18:00 mx1 postfix/master[3300]: fatal: bind 0.0.0.0 port 25: Address already in use",
  "Mar  4 10:18:01 mx1 postfix/postfix-script[3301]: fatal: mail system startup failed",
];

test("fatal lines become fatal errors", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ...FATAL_LINES, ""].join("\n"), {
    year: 2024,
  });
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);

  const failures = diagnosis.mtaFatalErrors;
  expect(failures?.count).toBe(3);
  expect(failures?.first).toBe("2024-03-04T10:16:00Z");
  expect(failures?.last).toBe("2024-03-04T10:18:01Z");
  expect(failures?.sample.text).toBe(
    "postfix: fatal: open /etc/postfix/main.cf: No such file or directory",
  );
  expect(failures?.sample.line).toBe(4);
  expect(failures?.sample.time).toBe("2024-03-04T10:16:00Z");
});

test("fatal errors in text and Markdown", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ...FATAL_LINES, ""].join("\n"), {
    year: 2024,
  });
  const text = renderDiagnosisText(diagnosis, painter(false));
  const markdown = renderDiagnosisMarkdown(diagnosis);

  expect(text).toContain("\nMTA fatal errors\n");
  expect(text.replace(/\s+/g, " ")).toContain(
    "3 fatal lines of the MTA's start command or daemons, from 2024-03-04 10:16:00 to 2024-03-04 10:18:01.",
  );
  expect(text).toContain("    postfix: fatal: open /etc/postfix/main.cf: No such file or");
  for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  expect(markdown).toContain("MTA fatal errors: 3 fatal lines");
  expect(markdown).toContain(
    "`postfix: fatal: open /etc/postfix/main.cf: No such file or directory`",
  );
});

test("log without fatal lines has none", async () => {
  const diagnosis = await diagnoseText([...DELIVERY, ""].join("\n"), { year: 2024 });
  const text = renderDiagnosisText(diagnosis, painter(false));

  expect(diagnosis.mtaFatalErrors).toBeNull();
  expect(text).not.toContain("MTA fatal errors");
  expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
});
