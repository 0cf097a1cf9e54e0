import type { MtaName, QueueSpaceEvent } from "./events.js";
import { positionOf, type LogRecord } from "./record.js";

/** Builds the `queue-space` event of `record`, a line of `mta` (see `QueueSpaceEvent`). */
export function queueSpaceEventOf(
  record: LogRecord,
  mta: MtaName,
  kind: QueueSpaceEvent["kind"],
  submissionFailed = false,
  uid: number | null = null,
  clientIp: string | null = null,
  instance: string | null = null,
): QueueSpaceEvent {
  return {
    type: "queue-space",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    mta,
    instance,
    kind,
    submissionFailed,
    uid,
    clientIp,
    pid: null,
    queueId: null,
    text: record.message,
  };
}
