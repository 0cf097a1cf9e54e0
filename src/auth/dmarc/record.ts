/** A DMARC policy: what receivers do with mail that fails (RFC 7489, section 6.3). */
export type DmarcPolicy = "none" | "quarantine" | "reject";

/** A parsed `v=DMARC1` record; unknown tags are kept in `tags` and otherwise ignored. */
export interface DmarcRecord {
  readonly text: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy: DmarcPolicy | null;
  readonly subdomainPolicy: DmarcPolicy | null;
  /** `np=`, the policy for subdomains that do not exist (RFC 9989). */
  readonly nonexistentPolicy: DmarcPolicy | null;
  readonly adkim: "r" | "s";
  readonly aspf: "r" | "s";
  readonly pct: number;
  readonly rua: readonly string[];
  readonly ruf: readonly string[];
  /** `psd=`: `y` for a public suffix domain, `n` for an organisational domain (RFC 9989). */
  readonly psd: "y" | "n" | "u";
  /** `t=y` marks a policy in test mode (RFC 9989). */
  readonly testing: boolean;
}

export type ParsedDmarc =
  | { readonly ok: true; readonly record: DmarcRecord; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string };

const POLICIES: readonly string[] = ["none", "quarantine", "reject"];

/** True when a TXT string is a DMARC record: it starts with `v=DMARC1` (RFC 7489, 6.6.3). */
export function isDmarcRecord(text: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/i.test(text);
}

/**
 * True when a TXT string that is no DMARC record mentions `v=DMARC`: a record whose version tag
 * is not first or lacks its ";". Receivers skip such a record (RFC 7489, section 6.6.3).
 */
export function isMalformedDmarcRecord(text: string): boolean {
  return !isDmarcRecord(text) && /(?:^|[\s;])v\s*=\s*DMARC/i.test(text);
}

/** States what is wrong with the version tag of a record that `isMalformedDmarcRecord` matches. */
export function versionTagProblem(text: string): string {
  if (/^v\s*=\s*DMARC1\b/i.test(text)) return 'v=DMARC1 must be followed by ";"';
  if (/^v\s*=\s*DMARC/i.test(text)) return "the version must be DMARC1";
  return 'v=DMARC1 must come first, followed by ";"';
}

/**
 * Rebuilds a record whose version tag is misplaced or lacks its ";": `v=DMARC1` first, then
 * the other tags in their order, each ended by ";". Tags that share a part are split where a
 * space comes before `name=`. Returns null when the result still does not parse.
 */
export function correctVersionTag(text: string): string | null {
  const pairs = text
    .split(";")
    .flatMap((part) => part.trim().split(/\s+(?=[a-z]+\s*=)/i))
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && !/^v\s*=/i.test(pair));
  const corrected = ["v=DMARC1", ...pairs].join("; ");
  return parseDmarcRecord(corrected).ok ? corrected : null;
}

/**
 * Parses a DMARC record (RFC 7489, section 6.3, with the RFC 9989 tags `np`, `psd` and `t`).
 * A record without a valid `p=` is an error unless it carries `rua=` (RFC 9989 then reads it
 * as `p=none`); bad values of other tags become warnings, and receivers use the defaults.
 */
export function parseDmarcRecord(text: string): ParsedDmarc {
  if (!isDmarcRecord(text)) return { ok: false, error: "the record does not start with v=DMARC1" };
  const tags: Record<string, string> = {};
  const warnings: string[] = [];
  for (const part of text.split(";").slice(1)) {
    if (part.trim() === "") continue;
    const match = /^\s*([a-z]+)\s*=\s*(.*?)\s*$/i.exec(part);
    if (match === null) return { ok: false, error: `"${part.trim()}" is not a tag=value pair` };
    const name = (match[1] as string).toLowerCase();
    if (name in tags) warnings.push(`the tag ${name}= appears twice; receivers may use either`);
    tags[name] = match[2] as string;
  }
  const policy = policyTag(tags, "p", warnings);
  if (policy === null && tags["rua"] === undefined) {
    return { ok: false, error: 'the record has no valid "p=" tag (none, quarantine or reject)' };
  }
  const record: DmarcRecord = {
    text,
    tags,
    policy: policy ?? "none",
    subdomainPolicy: policyTag(tags, "sp", warnings),
    nonexistentPolicy: policyTag(tags, "np", warnings),
    adkim: modeTag(tags, "adkim", warnings),
    aspf: modeTag(tags, "aspf", warnings),
    pct: pctTag(tags, warnings),
    rua: uriList(tags["rua"]),
    ruf: uriList(tags["ruf"]),
    psd: tags["psd"] === "y" || tags["psd"] === "n" ? tags["psd"] : "u",
    testing: tags["t"]?.toLowerCase() === "y",
  };
  return { ok: true, record, warnings };
}

function policyTag(
  tags: Record<string, string>,
  name: string,
  warnings: string[],
): DmarcPolicy | null {
  const value = tags[name]?.toLowerCase();
  if (value === undefined) return null;
  if (POLICIES.includes(value)) return value as DmarcPolicy;
  warnings.push(`${name}=${value} is not none, quarantine or reject`);
  return null;
}

function modeTag(tags: Record<string, string>, name: string, warnings: string[]): "r" | "s" {
  const value = tags[name]?.toLowerCase() ?? "r";
  if (value === "r" || value === "s") return value;
  warnings.push(`${name}=${value} is not r or s; receivers use relaxed`);
  return "r";
}

function pctTag(tags: Record<string, string>, warnings: string[]): number {
  const value = tags["pct"];
  if (value === undefined) return 100;
  if (/^\d{1,3}$/.test(value) && Number(value) <= 100) return Number(value);
  warnings.push(`pct=${value} is not a number from 0 to 100`);
  return 100;
}

function uriList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  return value
    .split(",")
    .map((uri) => uri.trim())
    .filter((uri) => uri !== "");
}
