/**
 * Ground truth of a generated log, counted from the lines actually written (a line that did
 * not fit under the size limit is not counted). Written next to the log as `LOG.truth.json`.
 */

const STATUSES = ["sent", "deferred", "bounced"];

/** Counters that the generator's processes update as they write lines. */
export class Truth {
  #resolutionMs;

  /**
   * `timestamps` is the log's style: times are recorded as the log shows them, to the second
   * for RFC 3164 and to the millisecond (of the logged microseconds) for RFC 3339.
   */
  constructor(timestamps) {
    this.#resolutionMs = timestamps === "rfc3164" ? 1000 : 1;
  }

  #isoTime(timeUs) {
    if (timeUs === null) return null;
    const ms = Math.floor(timeUs / 1000);
    return new Date(ms - (ms % this.#resolutionMs)).toISOString();
  }

  /** Remote deliveries per delist provider id: status lines and unique deferred recipients. */
  providers = {};
  /** Deliveries to mailboxes on this server (bounce notifications), by status. */
  local = { sent: 0, deferred: 0, bounced: 0 };
  messages = { sasl: 0, pickup: 0, compromised: 0, bounceNotifications: 0, expired: 0 };
  inboundRejects = { unknownUser: 0, dnsbl: 0 };
  authFailures = 0;
  gmailFirst421 = null;
  gmailFirst550 = null;
  incident = {
    account: null,
    firstSubmission: null,
    clientIps: new Set(),
    messages: 0,
    recipients: 0,
    minRecipients: null,
    maxRecipients: null,
  };

  /** Counts one remote delivery line. */
  delivery(provider, status, firstDeferral) {
    let counts = this.providers[provider];
    if (counts === undefined) {
      counts = { sent: 0, deferred: 0, bounced: 0, deferredRecipients: 0 };
      this.providers[provider] = counts;
    }
    counts[status]++;
    if (firstDeferral) counts.deferredRecipients++;
  }

  /** Remembers the first Gmail block replies (`code` 421 or 550) with their time and line. */
  gmailBlock(code, timeUs, line) {
    const mark = { time: this.#isoTime(timeUs), line };
    if (code === "421" && this.gmailFirst421 === null) this.gmailFirst421 = mark;
    if (code === "550" && this.gmailFirst550 === null) this.gmailFirst550 = mark;
  }

  /** Counts one submission by the compromised account. */
  compromisedSubmission(account, clientIp, recipients, timeUs, line) {
    const incident = this.incident;
    incident.account = account;
    if (incident.firstSubmission === null) {
      incident.firstSubmission = { time: this.#isoTime(timeUs), line };
    }
    incident.clientIps.add(clientIp);
    incident.messages++;
    incident.recipients += recipients;
    incident.minRecipients = Math.min(incident.minRecipients ?? recipients, recipients);
    incident.maxRecipients = Math.max(incident.maxRecipients ?? recipients, recipients);
  }

  // delist's verdicts: blocked once Gmail answers with permanent block replies, rate-limited
  // while it only defers.
  #expectedGmailVerdict() {
    if (this.gmailFirst550 !== null) return "blocked";
    return this.gmailFirst421 !== null ? "rate-limited" : "not-blocked";
  }

  /** Returns the JSON document, given the writer's totals and the run's parameters. */
  toJSON(writer, parameters, server) {
    const totals = { sent: 0, deferred: 0, bounced: 0 };
    for (const counts of Object.values(this.providers)) {
      for (const status of STATUSES) totals[status] += counts[status];
    }
    return {
      generator: "bench/generate-postfix.mjs",
      parameters,
      server,
      lines: writer.lines,
      bytes: writer.bytes,
      firstTime: this.#isoTime(writer.firstTimeUs),
      lastTime: this.#isoTime(writer.lastTimeUs),
      deliveries: { byProvider: sortKeys(this.providers), remoteTotals: totals, local: this.local },
      messages: this.messages,
      inboundRejects: this.inboundRejects,
      authFailures: this.authFailures,
      gmail: {
        expectedVerdict: this.#expectedGmailVerdict(),
        first421: this.gmailFirst421,
        first550: this.gmailFirst550,
      },
      incident: {
        finding: "compromised-account",
        ...this.incident,
        clientIps: [...this.incident.clientIps].sort(),
      },
    };
  }
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}
