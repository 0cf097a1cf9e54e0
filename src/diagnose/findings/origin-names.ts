import type { OriginFacts } from "../../analysis/origins.js";

/**
 * A PHP script as PHP's `mail.add_x_header` names it: `X-PHP-Originating-Script: UID:FILE`,
 * "the UID of the script followed by the filename" (PHP manual, mail configuration options).
 */
export interface PhpScript {
  /** The file name after the uid, as the admin finds it on disk. */
  readonly file: string;
  /** The script's uid before the file name, or null when the header has none. */
  readonly uid: number | null;
}

const UID_PREFIX = /^(\d+):(.+)$/;

/** Splits a script header value into the file name and the uid in front of it. */
export function phpScript(script: string): PhpScript {
  const match = UID_PREFIX.exec(script);
  if (match === null) return { file: script, uid: null };
  return { file: match[2] ?? script, uid: Number(match[1]) };
}

/**
 * Names an account, local program or relay client the way an admin would search for it in the
 * log. A script's uid is named only when it differs from the uid that submitted the mail. A
 * relay client is named as Postfix logs it, `host[ip]`, or by its address alone.
 */
export function describeOrigin(origin: OriginFacts): string {
  if (origin.kind === "account") return `SASL account ${origin.key}`;
  if (origin.kind === "client") {
    const client = origin.clientHost === null ? origin.key : `${origin.clientHost}[${origin.key}]`;
    return `SMTP client ${client} without SMTP AUTH`;
  }
  const parts: string[] = [];
  if (origin.script !== null) {
    const script = phpScript(origin.script);
    const uid =
      script.uid === null || script.uid === origin.uid ? "" : ` (script uid ${script.uid})`;
    parts.push(`script ${script.file}${uid}`);
  }
  if (origin.workingDirectory !== null) parts.push(`in ${origin.workingDirectory}`);
  if (origin.localUser !== null) parts.push(`user ${origin.localUser}`);
  if (origin.uid !== null) parts.push(`uid ${origin.uid}`);
  return parts.length > 0 ? `local ${parts.join(", ")}` : `local ${origin.key}`;
}
