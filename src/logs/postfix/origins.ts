import type { ParseOutcome } from "../record.js";
import { queueIdOf, type PostfixContext, type QueuedLine } from "./context.js";
import { addressBetween, addressEnd, detach } from "./fields.js";
import { isIgnoredQueued } from "./noise.js";

/**
 * Parses `pickup` lines: `QID: uid=1004 from=<shopuser>` starts a local submission made
 * through `sendmail` and `postdrop` (PHP `mail()`, cron, scripts). The uid is the
 * submitting Unix account.
 */
export function handlePickup(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const { record, start } = line;
  const text = record.message;
  if (!text.startsWith("uid=", start)) return isIgnoredQueued(text, start) ? "ignored" : "unparsed";
  const uidEnd = text.indexOf(" ", start + 4);
  const uid = Number(text.slice(start + 4, uidEnd < 0 ? text.length : uidEnd));
  if (!Number.isInteger(uid)) return "unparsed";

  const existing = context.store.findInQueue(
    record.host,
    line.program.instance,
    line.key,
    record.time,
  );
  // pickup names a queue id first, so an id that already has an origin was reused.
  const state =
    existing === undefined || existing.origin !== "unknown"
      ? context.store.create(record, line.program.instance, line.key, queueIdOf(line), "pickup")
      : existing;
  state.origin = "pickup";
  const message = state.message;
  message.uid = uid;
  message.service = line.program.label;

  const fromStart = uidEnd < 0 ? -1 : text.indexOf("from=", uidEnd);
  const fromEnd = fromStart < 0 ? -1 : addressEnd(text, fromStart + 5);
  if (fromEnd >= 0) {
    const sender = detach(addressBetween(text, fromStart + 5, fromEnd));
    // Without `-f` the sender is the login name; qmgr logs the qualified address later.
    message.sender = sender;
    if (sender.length > 0 && !sender.includes("@")) message.localUser = sender;
  }
  return "parsed";
}

const NOTIFICATION = " notification: ";

/**
 * Parses `bounce`, `defer` and `trace` lines: `QID: sender non-delivery notification: QID2`
 * (also `delivery status`, `delay` and `postmaster …` notifications). QID2 is the
 * notification that Postfix generated, so it is marked as a bounce.
 */
export function handleBounce(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const text = line.record.message;
  const at = text.indexOf(NOTIFICATION, line.start);
  if (at < 0) return isIgnoredQueued(text, line.start) ? "ignored" : "unparsed";

  const idStart = at + NOTIFICATION.length;
  const length = context.queueIds.read(text.slice(idStart) + ": ");
  if (length === 0 || idStart + length !== text.length) return "unparsed";
  const key = context.queueIds.key;
  const { record, program } = line;
  const state =
    context.store.find(record.host, program.instance, key, record.time) ??
    context.store.create(record, program.instance, key, text.slice(idStart), "internal");
  state.message.isBounce = true;
  return "parsed";
}
