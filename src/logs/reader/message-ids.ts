/**
 * Detection of a line that names its message: a Postfix or Sendmail queue id or an Exim message
 * id at the start of the text. Such a line identifies its machine well enough to be compared
 * across inputs regardless of host (see `RecordFingerprints`).
 */
import type { MtaName } from "../events.js";
import { messageIdLength } from "../exim/message-id.js";
import { QueueIdReader } from "../postfix/queue-id.js";
import { queueIdLength } from "../sendmail/queue-id.js";

const postfixQueueIds = new QueueIdReader();

/** Tests whether `message`, a line of `mta`, starts with the id of a queued message. */
export function startsWithMessageId(mta: MtaName | null, message: string): boolean {
  if (mta === "postfix") return postfixQueueIds.read(message) > 0;
  if (mta === "exim") return messageIdLength(message) > 0;
  if (mta === "sendmail") return queueIdLength(message) > 0;
  return false;
}
