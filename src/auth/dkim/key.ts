import { createPublicKey } from "node:crypto";

/** Contents of a DKIM key record (RFC 6376, section 3.6.1). */
export interface DkimKey {
  readonly keyType: string;
  /** RSA modulus length, or 256 for Ed25519; null when the key cannot be read. */
  readonly bits: number | null;
  readonly revoked: boolean;
  /** `t=y`: the domain is testing DKIM, and receivers may treat mail as unsigned. */
  readonly testing: boolean;
  /** `t=s`: the `i=` domain must equal `d=`, no subdomains. */
  readonly strict: boolean;
  readonly hashAlgorithms: readonly string[] | null;
  readonly error: string | null;
}

/** Parses `tag=value; …` lists as DKIM uses them; whitespace inside values is dropped. */
export function parseTagList(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    tags[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).replace(/\s+/g, "");
  }
  return tags;
}

/** True when a TXT string looks like a DKIM key record rather than an unrelated record. */
export function isDkimKeyRecord(text: string): boolean {
  return /^\s*v\s*=\s*DKIM1\s*(;|$)/i.test(text) || /(^|;)\s*p\s*=/i.test(text);
}

/** Reads a DKIM key record; an empty `p=` is a revoked key. */
export function parseDkimKey(text: string): DkimKey {
  const tags = parseTagList(text);
  const keyType = (tags["k"] ?? "rsa").toLowerCase();
  const flags = (tags["t"] ?? "").toLowerCase().split(":");
  const base = {
    keyType,
    testing: flags.includes("y"),
    strict: flags.includes("s"),
    hashAlgorithms: tags["h"] === undefined ? null : tags["h"].toLowerCase().split(":"),
  };
  if (tags["v"] !== undefined && tags["v"] !== "DKIM1") {
    return { ...base, bits: null, revoked: false, error: `v=${tags["v"]} is not DKIM1` };
  }
  const key = tags["p"];
  if (key === undefined)
    return { ...base, bits: null, revoked: false, error: "the record has no p= tag" };
  if (key === "") return { ...base, bits: null, revoked: true, error: null };
  return { ...base, revoked: false, ...keySize(keyType, key) };
}

function keySize(keyType: string, base64: string): { bits: number | null; error: string | null } {
  const der = Buffer.from(base64, "base64");
  if (keyType === "ed25519") {
    return der.length === 32
      ? { bits: 256, error: null }
      : { bits: null, error: `an Ed25519 key has 32 bytes, this one ${der.length}` };
  }
  if (keyType !== "rsa") return { bits: null, error: `unknown key type k=${keyType}` };
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      const key = createPublicKey({ key: der, format: "der", type });
      return { bits: key.asymmetricKeyDetails?.modulusLength ?? null, error: null };
    } catch {
      // Try the next encoding: some publishers put a bare PKCS#1 key in p=.
    }
  }
  return { bits: null, error: "p= is not a valid RSA public key" };
}
