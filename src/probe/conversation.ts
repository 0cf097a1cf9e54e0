import type { SmtpStage } from "../knowledge/categories.js";
import type { ReplyClassifier } from "../reply/classify.js";
import type { ExplainedReply } from "../reply/types.js";
import type { SmtpConnection } from "./connection.js";
import { wireText, type WireReply } from "./reply-reader.js";
import type { ProbeReply, UnansweredCommand } from "./types.js";

/** A reply with the classification that decides the probe's status. */
export interface RecordedReply {
  readonly reply: ProbeReply;
  readonly explained: ExplainedReply;
}

/** Sends commands over one connection and records every reply, classified. */
export class Conversation {
  readonly replies: RecordedReply[] = [];
  /** The command that got no reply because the conversation broke off, or null. */
  unanswered: UnansweredCommand | null = null;
  /** True once the test message has been written, whether or not a reply followed. */
  messageSent = false;

  constructor(
    private readonly connection: SmtpConnection,
    private readonly classifier: ReplyClassifier,
    private readonly hints: { readonly relayHost: string; readonly recipient: string },
    private readonly now: () => number,
  ) {}

  /** Reads the greeting. */
  greeting(): Promise<RecordedReply> {
    return this.record("connect", null, () => this.connection.read("greeting"));
  }

  /** Sends one command and records its reply. */
  send(stage: SmtpStage, command: string): Promise<RecordedReply> {
    return this.record(stage, command, () => this.connection.command(command));
  }

  /** Sends the message text (ending in CRLF.CRLF) and records the end-of-data reply. */
  sendMessage(text: string): Promise<RecordedReply> {
    return this.record("end-of-data", "<message>", () => {
      this.connection.write(text);
      this.messageSent = true;
      return this.connection.read("reply to the end of DATA");
    });
  }

  private async record(
    stage: SmtpStage,
    command: string | null,
    exchange: () => Promise<WireReply>,
  ): Promise<RecordedReply> {
    const started = this.now();
    let wire: WireReply;
    try {
      wire = await exchange();
    } catch (error) {
      if (command !== null) this.unanswered = { stage, command, error: (error as Error).message };
      // The lines of a reply cut off before its last line go into the transcript, so that a
      // receiver that stalls in the middle of a reply does not look like a silent one.
      const incomplete = this.connection.incompleteReply();
      if (incomplete !== null) {
        this.add(stage, command, incomplete, (error as Error).message, started);
      }
      throw error;
    }
    return this.add(stage, command, wire, null, started);
  }

  /** Records a reply. `incompleteReason` is null for a complete one. */
  private add(
    stage: SmtpStage,
    command: string | null,
    wire: WireReply,
    incompleteReason: string | null,
    started: number,
  ): RecordedReply {
    const complete = incompleteReason === null;
    const text = wireText(wire, complete);
    const explained = this.classifier.explain(text, { ...this.hints, stage });
    const reply: ProbeReply = {
      stage,
      command,
      replyCode: wire.code,
      enhancedStatus: explained.enhancedStatus,
      text,
      complete,
      incompleteReason,
      category: explained.category,
      ruleId: explained.ruleId,
      permanent: explained.permanent,
      summary: explained.summary,
      provider: explained.provider,
      judgedIp: explained.judgedIp,
      elapsedMs: Math.max(0, this.now() - started),
    };
    const recorded = { reply, explained };
    this.replies.push(recorded);
    return recorded;
  }
}
