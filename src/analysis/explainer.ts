import type { SmtpStage } from "../knowledge/categories.js";
import type { ExplainedReply } from "../reply/types.js";

/** What the log knows about a reply besides its text. */
export interface ReplyHints {
  readonly relayHost?: string | null;
  readonly recipient?: string | null;
  readonly dsn?: string | null;
  readonly stage?: SmtpStage | null;
}

/** Parses and classifies reply texts; the analysers call it for every non-2xx reply. */
export interface ReplyExplainer {
  explain(text: string, hints?: ReplyHints): ExplainedReply;
}
