import { copyFileSync, mkdtempSync, readdirSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const EXAMPLE = "examples/postfix";

/**
 * A Yahoo [TSS04] deferral 13 seconds after the last line of the bundled example. Yahoo's
 * deferrals in the example end a day before its last line, so Yahoo gets no removal form. With
 * this line its block goes on to the end, and Yahoo's form is listed next to Gmail's.
 */
export const LATE_YAHOO_DEFERRAL =
  "Mar  7 02:01:40 mail postfix/smtp[30001]: 0000FFF001: to=<late1@yahoo.com>, relay=mta5.am0.yahoodns.net[192.0.2.61]:25, delay=4.0, delays=0.1/0.01/0.3/0.4, dsn=4.7.0, status=deferred (host mta5.am0.yahoodns.net[192.0.2.61] said: 421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command))";

/**
 * Copies the bundled example's logs into a new temporary directory, with `LATE_YAHOO_DEFERRAL`
 * after the last line of `mail.log`, and returns the directory. The caller removes it.
 */
export function exampleWithLateYahoo(): string {
  const directory = mkdtempSync(join(tmpdir(), "delist-late-yahoo-"));
  for (const name of readdirSync(EXAMPLE)) {
    copyFileSync(join(EXAMPLE, name), join(directory, name));
  }
  appendFileSync(join(directory, "mail.log"), `${LATE_YAHOO_DEFERRAL}\n`);
  return directory;
}
