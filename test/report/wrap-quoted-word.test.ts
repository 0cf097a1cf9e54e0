import { describe, expect, test } from "vitest";
import { globExample } from "../../src/logs/reader/notes.js";
import { wrap } from "../../src/report/wrap.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

const LOG =
  "Mar  4 09:00:00 mx1 postfix/smtp[2]: 1A2B3C4D5E: to=<a@example.org>, " +
  "relay=mx.example.org[192.0.2.5]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, " +
  "status=sent (250 2.0.0 Ok)\n";

describe("wrap with a single-quoted word", () => {
  test("space inside the quotes is no break", () => {
    const lines = wrap("kick 'news letter@example.com' now", "", "", 20);

    expect(lines).toEqual(["kick", "'news letter@example.com'", "now"]);
  });

  test("keeps a quote written as '\\''", () => {
    const word = "'it'\\''s a file.log'";
    const lines = wrap(`read ${word} first`, "", "", 12);

    expect(lines).toEqual(["read", word, "first"]);
  });

  test("keeps the punctuation after it", () => {
    const lines = wrap("a glob such as 'my logs/**/*log*'.", "", "", 20);

    expect(lines).toEqual(["a glob such as", "'my logs/**/*log*'."]);
  });

  test("breaks at apostrophes in words", () => {
    const lines = wrap("the server's reply isn't a block at all", "", "", 16);

    expect(lines).toEqual(["the server's", "reply isn't a", "block at all"]);
  });

  test("breaks an unclosed quote", () => {
    expect(wrap("say 'open words here", "", "", 10)).toEqual(["say 'open", "words here"]);
  });

  test("keeps wide characters inside together", () => {
    const word = "'用户 例子用户例子'";

    expect(wrap(`kick ${word}`, "", "", 10)).toEqual(["kick", word]);
  });
});

describe("logs note with a suggested glob", () => {
  test("glob of a folder with spaces stays whole", async () => {
    const name = "mail logs of the office in the east wing";
    const root = files.folder({ [`${name}/mail.log`]: LOG, [`${name}/old/mail.log.1`]: LOG });
    const folder = `${root}/${name}`;
    const result = await runCommand(["logs", "--timezone", "UTC", folder]);
    const note = result.stdout.slice(result.stdout.indexOf("Note: Skipped"));

    expect(note).toContain(globExample(folder));
  });
});
