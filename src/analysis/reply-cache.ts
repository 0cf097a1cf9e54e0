import {
  hostRoleKey,
  PROVIDER_OPERATORS,
  providerOfRelay,
  type ProviderId,
} from "../knowledge/providers.js";
import { forEachValue } from "../reply/normalise.js";
import { providerFromText } from "../reply/provider-text.js";
import type { ExplainedReply } from "../reply/types.js";
import type { ReplyExplainer, ReplyHints } from "./explainer.js";
import { codeKey, isBlockSignal } from "./replies.js";
import { detach } from "./time.js";

/** The classification of one reply and the IP the receiver judged. */
export interface ClassifiedReply {
  /**
   * The explanation of the first reply with the same wording. Its `text`, hosts and IPs are
   * that reply's, so use it for the classification fields only.
   */
  readonly reply: ExplainedReply;
  /** `421 4.7.28`-style code key of the classification. */
  readonly codeKey: string;
  /** The IP this reply names as the one the receiver judged, or null. */
  readonly judgedIp: string | null;
  /** `isBlockSignal` of `reply`, worked out once per wording, because several analysers test it. */
  readonly blockSignal: boolean;
}

/**
 * A wording: the literal text around a reply's per-transaction values (IPs, addresses,
 * session ids), with the explanation of the reply it was made from.
 */
interface Template {
  /** `segments[i]` comes before value `i`; the last segment ends the text (it may be ""). */
  readonly segments: readonly string[];
  /** Values that may contain spaces: Gmail's `[IP      N]` bracket, whose padding varies. */
  readonly spaced: readonly boolean[];
  readonly reply: ExplainedReply;
  readonly codeKey: string;
  readonly blockSignal: boolean;
  /** Index of the value that is the judged IP, or -1 when the reply names none. */
  readonly judgedValue: number;
  /**
   * True when value 0 is the host name of Postfix's `host H[ip] said:` wrapper, which was
   * made a value because it names no provider. A reply then matches only when its host names
   * none either.
   */
  readonly hostValue: boolean;
}

/** Wordings kept per provider and DSN; replies with more variants are explained in full. */
const MAX_TEMPLATES = 32;
const MAX_GROUPS = 4096;
// Spaces and a number up to the closing bracket, as in `[203.0.113.5      15]`.
const BRACKET_PADDING = /^ +\d{1,4}\]/;
const WRAPPER_HOST = "host ";
/** Host names remembered by `NeutralHosts`; past this the memory starts again. */
const MAX_HOSTS = 4096;

/**
 * Classifies the replies of a log run with one full explanation per wording. A large log
 * repeats a few dozen wordings hundreds of thousands of times, differing only in IPs,
 * addresses and session ids. A full explanation, or even a pass over every character to find
 * those values, costs more per reply than the rest of the analysis. A reply matches a
 * wording when each literal piece of the wording is found in order with native string
 * searches and what lies between is a single token, as a value always is. The explainer's
 * `forEachValue` decides what a value is when a wording is made.
 */
export class ReplyCache {
  // Wordings by provider, then by `groupKey`.
  private readonly groups = new Map<ProviderId, Map<string, Template[]>>();
  private groupCount = 0;
  // Where the values of the last `matches` lie. The arrays are overwritten, never emptied,
  // because emptying an array frees its storage and the next match would allocate it again.
  private readonly gapStarts: number[] = [];
  private readonly gapEnds: number[] = [];
  private readonly neutralHosts = new NeutralHosts();

  constructor(private readonly explainer: ReplyExplainer) {}

  /** Classifies `text`; `provider` and `hints` must be those the full explanation would get. */
  classify(text: string, provider: ProviderId, hints: ReplyHints): ClassifiedReply {
    let byDsn = this.groups.get(provider);
    if (byDsn === undefined) {
      byDsn = new Map();
      this.groups.set(provider, byDsn);
    }
    const dsn = groupKey(provider, hints);
    let templates = byDsn.get(dsn);
    if (templates !== undefined) {
      for (let i = 0; i < templates.length; i++) {
        const template = templates[i];
        if (template === undefined || !this.matches(text, template)) continue;
        if (template.hostValue && !this.hasNeutralHost(text)) continue;
        // The most frequent wordings move to the front, so they are tried first.
        if (i > 0) {
          templates[i] = templates[i - 1] ?? template;
          templates[i - 1] = template;
        }
        const judgedIp = this.gap(text, template.judgedValue);
        return {
          reply: template.reply,
          codeKey: template.codeKey,
          judgedIp,
          blockSignal: template.blockSignal,
        };
      }
    } else {
      if (this.groupCount >= MAX_GROUPS) {
        byDsn.clear();
        this.groupCount = 0;
      }
      templates = [];
      byDsn.set(dsn, templates);
      this.groupCount += 1;
    }

    const reply = this.explainer.explain(text, hints);
    const template = makeTemplate(text, reply, this.neutralHosts);
    if (template !== null) {
      if (templates.length >= MAX_TEMPLATES) templates.shift();
      templates.push(template);
    }
    return {
      reply,
      codeKey: template?.codeKey ?? codeKey(reply),
      judgedIp: reply.judgedIp,
      blockSignal: template?.blockSignal ?? isBlockSignal(reply),
    };
  }

  /** Fully explains a reply, for the few occurrences kept as evidence. */
  explain(text: string, hints: ReplyHints): ExplainedReply {
    return this.explainer.explain(text, hints);
  }

  // Finds the segments in order and records where each value lies.
  private matches(text: string, template: Template): boolean {
    const segments = template.segments;
    const first = segments[0] ?? "";
    if (!text.startsWith(first)) return false;
    const last = segments.length - 1;
    let position = first.length;

    for (let i = 1; i <= last; i++) {
      const segment = segments[i] ?? "";
      let gapEnd: number;
      if (i === last) {
        if (!text.endsWith(segment)) return false;
        gapEnd = text.length - segment.length;
      } else {
        gapEnd = text.indexOf(segment, position + 1);
      }
      if (gapEnd <= position) return false;
      if (template.spaced[i - 1] !== true) {
        const space = text.indexOf(" ", position);
        if (space >= 0 && space < gapEnd) return false;
      }
      this.gapStarts[i - 1] = position;
      this.gapEnds[i - 1] = gapEnd;
      position = gapEnd + segment.length;
    }
    return last > 0 || text.length === first.length;
  }

  // Whether the wrapper host found as value 0 by the last `matches` names no provider.
  private hasNeutralHost(text: string): boolean {
    const start = this.gapStarts[0] ?? 0;
    const end = this.gapEnds[0] ?? 0;
    return this.neutralHosts.has(text, start, end);
  }

  // The text of a value; for a spaced value, its first word (the IP of `[IP      N]`).
  private gap(text: string, index: number): string | null {
    if (index < 0) return null;
    const start = this.gapStarts[index];
    const end = this.gapEnds[index];
    if (start === undefined || end === undefined) return null;
    const space = text.indexOf(" ", start);
    return text.slice(start, space >= 0 && space < end ? space : end);
  }
}

/**
 * Returns the key of a provider's wordings: the DSN that the MTA logged, followed by the
 * `hostRoleKey` of the relay host when it is one of Microsoft's inbound MX or submission hosts. Rules marked
 * `inboundMxOnly` or `submissionHostOnly` read a wording differently there, and an Exim reply
 * does not name the host in its text.
 */
function groupKey(provider: ProviderId, hints: ReplyHints): string {
  const dsn = hints.dsn ?? "";
  // Only Microsoft's hosts are listed, so other providers skip the look-ups.
  if (PROVIDER_OPERATORS[provider] !== "microsoft" || hints.relayHost == null) return dsn;
  const role = hostRoleKey(hints.relayHost);
  return role === "" ? dsn : `${dsn} ${role}`;
}

/**
 * Makes the wording of a reply: the literal pieces between its values. Returns null when the
 * judged IP is not one of the values (its place could not be found again in other replies).
 */
function makeTemplate(
  text: string,
  reply: ExplainedReply,
  neutralHosts: NeutralHosts,
): Template | null {
  const segments: string[] = [];
  const values: string[] = [];
  const spaced: boolean[] = [];
  let copiedTo = 0;
  // Each MX of a receiver would otherwise make a wording of its own, and a log that mails
  // hundreds of small domains would explain most of their replies in full.
  const hostEnd = wrapperHostEnd(text);
  const hostValue = hostEnd > 0 && neutralHosts.has(text, WRAPPER_HOST.length, hostEnd);
  if (hostValue) {
    segments.push(WRAPPER_HOST);
    values.push(text.slice(WRAPPER_HOST.length, hostEnd));
    spaced.push(false);
    copiedTo = hostEnd;
  }
  forEachValue(text, (start, end) => {
    if (start < copiedTo) return;
    // Gmail's bracket pads the judged IP with a varying number of spaces and a varying
    // number: both belong to the value, or every padding would be a wording of its own.
    const padding = BRACKET_PADDING.exec(text.slice(end, end + 16));
    segments.push(text.slice(copiedTo, start));
    values.push(text.slice(start, end));
    spaced.push(padding !== null);
    copiedTo = padding === null ? end : end + padding[0].length - 1;
  });
  segments.push(text.slice(copiedTo));
  // A value directly after another leaves no literal to find it by.
  if (segments.slice(1, -1).some((segment) => segment === "")) return null;

  const judgedValue = reply.judgedIp === null ? -1 : values.indexOf(reply.judgedIp);
  if (reply.judgedIp !== null && judgedValue < 0) return null;
  return {
    segments: segments.map((segment) => (" " + segment).slice(1)),
    spaced,
    reply,
    codeKey: codeKey(reply),
    blockSignal: isBlockSignal(reply),
    judgedValue,
    hostValue,
  };
}

/** Returns where the host name of a `host H[ip] …` wrapper ends (at `[`), or -1. */
function wrapperHostEnd(text: string): number {
  if (!text.startsWith(WRAPPER_HOST)) return -1;
  const start = WRAPPER_HOST.length;
  const bracket = text.indexOf("[", start);
  if (bracket <= start) return -1;
  const space = text.indexOf(" ", start);
  return space >= 0 && space < bracket ? -1 : bracket;
}

/**
 * Remembers which MX host names name no provider. The classifier reads a provider from the
 * wrapper host in two ways: as a relay (`providerOfRelay`) and from the markers it looks for
 * in the whole text (`providerFromText`). A name that gives neither cannot change the
 * classification, so two replies that differ only in such names are explained alike.
 */
class NeutralHosts {
  private readonly verdicts = new Map<string, boolean>();
  // Consecutive replies often come from one MX, so the last neutral name is compared first.
  private last = "";

  /** True when the host name from `start` to `end` of `text` names no provider. */
  has(text: string, start: number, end: number): boolean {
    const last = this.last;
    if (end - start === last.length && text.startsWith(last, start)) return true;
    const host = text.slice(start, end);
    let neutral = this.verdicts.get(host);
    if (neutral === undefined) {
      neutral = providerOfRelay(host) === null && providerFromText(host) === null;
      if (this.verdicts.size >= MAX_HOSTS) this.verdicts.clear();
      this.verdicts.set(detach(host), neutral);
    }
    if (neutral) this.last = detach(host);
    return neutral;
  }
}
