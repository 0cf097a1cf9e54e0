/**
 * One spelling per host for the syslog host field. A central syslog server may write a host's
 * fully qualified name (`mail.example.com`) where the host's own rsyslog writes its short name
 * (`mail`), and some writers change the case (`MAIL`). Names that differ only in ASCII case,
 * or where one is the first label of the other, get the spelling seen first, so the copy
 * check and the host counts see one host.
 *
 * NOTE: when `mail.example.com` and `mail.example.net` both appear, they stay two hosts. A
 * `mail` read before the second of them joins the first, even when it is the other one's
 * short name, and a `mail` read after both stays a host of its own.
 */

// Maximum spellings stored, so that junk with a new host on every line cannot grow memory
// with the input. Past it, new spellings are returned unchanged.
const MAX_NAMES = 10_000;

/** Maps each host name spelling to the spelling of the same host seen first. */
export class HostNames {
  // Lower-case spelling to the spelling returned for it.
  private readonly byLowerCase = new Map<string, string>();
  // Lower-case first label of a fully qualified name to that host's spelling, or null when
  // several fully qualified names share the first label.
  private readonly byFirstLabel = new Map<string, string | null>();
  private lastHost = "";
  private lastSpelling = "";

  /** Returns the spelling of `host` seen first, or `host` itself when it is new. */
  spellingOf(host: string): string {
    if (host === this.lastHost) return this.lastSpelling;
    const spelling = this.lookUp(host);
    this.lastHost = host;
    this.lastSpelling = spelling;
    return spelling;
  }

  private lookUp(host: string): string {
    if (host === "") return host;
    const lower = host.toLowerCase();
    const known = this.byLowerCase.get(lower);
    if (known !== undefined) return known;
    if (this.byLowerCase.size >= MAX_NAMES) return host;
    const spelling = this.joinByFirstLabel(host, lower);
    this.byLowerCase.set(lower, spelling);
    return spelling;
  }

  // Returns the spelling of the host that a new spelling `host` is the short or the fully
  // qualified name of, or `host` when there is none.
  private joinByFirstLabel(host: string, lower: string): string {
    const dot = lower.indexOf(".");
    if (dot < 0) return this.byFirstLabel.get(lower) ?? host;
    if (dot === 0 || isIpv4Like(lower)) return host;
    const label = lower.slice(0, dot);
    if (this.byFirstLabel.has(label)) {
      // A second fully qualified name with this first label is another host.
      this.byFirstLabel.set(label, null);
      return host;
    }
    const spelling = this.byLowerCase.get(label) ?? host;
    this.byFirstLabel.set(label, spelling);
    return spelling;
  }
}

// An IPv4 address has no first label that names a host, so `192.0.2.1` never joins `192`.
function isIpv4Like(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code !== 46 && (code < 48 || code > 57)) return false;
  }
  return true;
}
