import type { EventSink, LinePosition } from "../events.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../record.js";
import { handleCleanup } from "./cleanup.js";
import type { PostfixContext, QueuedLine } from "./context.js";
import { CutTagReader } from "./cut-tag.js";
import { handleDelivery } from "./delivery.js";
import { InstanceEvidence } from "./instance-evidence.js";
import { handleLifecycle, fatalErrorOutcome } from "./lifecycle.js";
import { isIgnoredQueued, isIgnoredUnqueued } from "./noise.js";
import { handleBounce, handlePickup } from "./origins.js";
import { describeProgram, isPostfixProgram, ProgramCache, type PostfixProgram } from "./program.js";
import { handlePostsuper, handleQmgr } from "./qmgr.js";
import { QueueIdReader } from "./queue-id.js";
import { handleQueueWriteError } from "./queue-space.js";
import {
  handleSessionReply,
  handleTls,
  OUTBOUND_TLS_PREFIXES,
  passOutboundTls,
} from "./session.js";
import {
  handleQueuedSmtpd,
  handleUnqueuedPostscreen,
  handleUnqueuedSmtpd,
  QUIET_SMTPD_PREFIXES,
} from "./smtpd.js";
import { MessageStore, type StoreLimits } from "./store.js";

export {
  MAX_LINK_WAIT_MS,
  MAX_OPEN_MESSAGES,
  MAX_PENDING_RECIPIENTS,
  MAX_SILENCE_MS,
  MAX_WAITING_LINKS,
  type StoreLimits,
} from "./store.js";

/** The Postfix parser, with a view of its correlation state for tests of the memory bound. */
export interface PostfixParser extends RecordParser {
  /** Number of messages whose state is held. */
  readonly openMessages: number;
  readonly evictedMessages: number;
  readonly repeatedDeliveryLines: number;
  /** Number of content filter hops whose re-queued copy has not been seen yet. */
  readonly waitingLinks: number;
}

/**
 * Creates the parser for the logs of every Postfix daemon (`postfix/…` and multi-instance
 * `postfix-<name>/…` tags). It correlates the lines of each message by syslog host, Postfix
 * instance and queue id (see `MessageStore`) and emits `message`, `delivery`, `filter-copy`,
 * `session-reply`, `reject`, `auth-failure`, `tls` and `lifecycle` events. State lives from a message's first line to its `removed`
 * line, or until its id has been silent for Postfix's default queue lifetime of 5 days.
 * Past `limits` (default `MAX_OPEN_MESSAGES` and `MAX_PENDING_RECIPIENTS`) the least
 * recently active messages are evicted and counted in `evictedMessages`.
 */
export function createPostfixParser(sink: EventSink, limits?: StoreLimits): PostfixParser {
  return new PostfixLogParser(sink, limits);
}

class PostfixLogParser implements PostfixParser {
  readonly mta = "postfix";
  private readonly programs = new ProgramCache();
  private readonly cutTags = new CutTagReader();
  private readonly context: PostfixContext;
  private readonly instances: InstanceEvidence;
  // Filled anew for each queued line, which saves an allocation per line.
  private readonly line: Mutable<QueuedLine> = {
    record: {
      time: 0,
      host: "",
      program: "",
      pid: null,
      message: "",
      file: "",
      line: 0,
      syslogHeader: true,
    },
    program: describeProgram("postfix/none"),
    key: 0,
    start: 0,
  };

  constructor(sink: EventSink, limits: StoreLimits | undefined) {
    this.instances = new InstanceEvidence(sink);
    const store = new MessageStore(
      limits,
      (link) => {
        sink({
          type: "filter-copy",
          time: link.time,
          position: link.position,
          message: link.parent,
          copy: null,
        });
      },
      (events) => {
        for (const event of events) sink(event);
      },
      this.instances,
    );
    this.context = { sink, store, queueIds: new QueueIdReader() };
  }

  get openMessages(): number {
    return this.context.store.size;
  }

  get evictedMessages(): number {
    return this.context.store.evicted;
  }

  get repeatedDeliveryLines(): number {
    return this.context.store.repeatedDeliveries;
  }

  get waitingLinks(): number {
    return this.context.store.waitingLinkCount;
  }

  namesMessage(text: string): boolean {
    return this.context.queueIds.read(text) > 0;
  }

  accepts(program: string): boolean {
    return isPostfixProgram(program);
  }

  quietPrefixes(program: string): readonly string[] {
    return this.programs.describe(program).kind === "smtpd" ? QUIET_SMTPD_PREFIXES : [];
  }

  passQuiet(time: number): void {
    this.context.store.sweep(time);
  }

  timedPrefixes(program: string): readonly string[] {
    return this.programs.describe(program).kind === "delivery" ? OUTBOUND_TLS_PREFIXES : [];
  }

  passTimed(time: number, position: LinePosition): void {
    this.context.store.sweep(time);
    passOutboundTls(this.context, time, position);
  }

  parse(record: LogRecord): ParseOutcome {
    let program = this.programs.describe(record.program);
    if (program.showsInstance) this.instances.noteInstance(record, program.instance);
    this.context.store.sweep(record.time, record.host, program.instance);
    const idLength = this.context.queueIds.read(record.message);
    if (program.kind === "script") {
      // A tag cut to `postfix` by rsyslog's `programname`, or a systemd unit's (see
      // `CutTagReader`).
      const start = idLength === 0 ? 0 : idLength + 2;
      program = this.cutTags.daemonOf(program, record.message, idLength > 0, start) ?? program;
    }
    if (idLength === 0) return this.parseUnqueued(record, program);

    const line = this.line;
    line.record = record;
    line.program = program;
    line.key = this.context.queueIds.key;
    line.start = idLength + 2;
    return this.parseQueued(line);
  }

  /**
   * Reports the filter hops whose copy has not been seen, and sends the deliveries held for a
   * hop that did not come. Every other event went out at the line that completed it.
   */
  finish(): void {
    this.context.store.endLinks();
  }

  private parseQueued(line: QueuedLine): ParseOutcome {
    const context = this.context;
    switch (line.program.kind) {
      case "delivery":
        return parseAgentLine(context, line);
      case "qmgr":
        return handleQmgr(context, line);
      case "smtpd":
      case "postscreen":
        return handleQueuedSmtpd(context, line);
      case "cleanup":
        return handleCleanup(context, line);
      case "pickup":
        return handlePickup(context, line);
      case "bounce":
        return handleBounce(context, line);
      case "postsuper":
        return handlePostsuper(context, line);
      case "noise":
      case "submission":
        return "ignored";
      default:
        // A service Postfix does not have, or a tag damaged on the way (NUL bytes after a
        // crash): its `to=` lines cannot be told apart from local or remote deliveries.
        return isIgnoredQueued(line.record.message, line.start) ? "ignored" : "unparsed";
    }
  }

  private parseUnqueued(record: LogRecord, program: PostfixProgram): ParseOutcome {
    const context = this.context;
    // A cleanup `fatal:` line that ends in `No space left on device` counts as a queue write
    // error and not among the fatal errors, because the queue disk section gives its fix.
    if (program.kind === "cleanup" || program.kind === "submission") {
      const outcome = handleQueueWriteError(context, record, program);
      if (outcome !== null) return outcome;
    }
    const fatalError = fatalErrorOutcome(context, record, program);
    if (fatalError !== null) return fatalError;
    switch (program.kind) {
      case "smtpd":
        return handleUnqueuedSmtpd(context, record);
      case "postscreen":
        return handleUnqueuedPostscreen(context, record);
      case "delivery":
        return handleTls(context, record, 0) ?? ignoredOrUnparsed(record.message);
      case "master":
      case "script":
        return handleLifecycle(context, record, program);
      case "noise":
      case "submission":
        return "ignored";
      default:
        return ignoredOrUnparsed(record.message);
    }
  }
}

/** Parses a queued line of a delivery agent: a delivery, a session-level reply, or TLS. */
function parseAgentLine(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const text = line.record.message;
  if (text.startsWith("to=", line.start)) return handleDelivery(context, line);
  const outcome = handleSessionReply(context, line) ?? handleTls(context, line.record, line.start);
  if (outcome !== null) return outcome;
  return isIgnoredQueued(text, line.start) ? "ignored" : "unparsed";
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function ignoredOrUnparsed(text: string): ParseOutcome {
  return isIgnoredUnqueued(text) ? "ignored" : "unparsed";
}
