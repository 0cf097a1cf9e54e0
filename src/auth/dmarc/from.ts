/** The From header's domains, or why DMARC cannot use them. */
export interface FromDomains {
  readonly domains: readonly string[];
  /** Set when the header is missing, has no address, or names several domains (RFC 7489, 6.6.1). */
  readonly error: string | null;
}

/**
 * Reads the domains of the From header of a message (the header block only). Quoted display
 * names may contain commas; several addresses with different domains make DMARC unusable.
 */
export function fromDomains(message: string): FromDomains {
  const headerEnd = message.search(/\r?\n\r?\n/);
  const headers = (headerEnd < 0 ? message : message.slice(0, headerEnd)).replace(
    /\r?\n[ \t]+/g,
    " ",
  );
  const fields = headers.split(/\r?\n/).filter((line) => /^from\s*:/i.test(line));
  if (fields.length === 0) return { domains: [], error: "the message has no From header" };
  if (fields.length > 1) return { domains: [], error: "the message has several From headers" };
  const value = (fields[0] as string).slice((fields[0] as string).indexOf(":") + 1);
  const domains = [
    ...new Set(
      addresses(value).map((address) => address.slice(address.lastIndexOf("@") + 1).toLowerCase()),
    ),
  ];
  if (domains.length === 0) return { domains, error: "the From header has no address" };
  if (domains.length > 1)
    return { domains, error: `the From header names several domains (${domains.join(", ")})` };
  return { domains, error: null };
}

/** Splits an address list at commas outside quotes and angle brackets, and keeps the addresses. */
function addresses(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === "<" && !quoted) angle = true;
    else if (char === ">" && !quoted) angle = false;
    if (char === "," && !quoted && !angle) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts
    .map((part) => (/<([^>]*)>/.exec(part)?.[1] ?? part.replace(/"[^"]*"/g, "")).trim())
    .filter((address) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address));
}
