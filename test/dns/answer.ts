import type { DnsAnswer, DnsResult, RecordType } from "../../src/dns/types.js";

/** Returns the answer of a result, and fails the test with the failure kind when there is none. */
export function answerOf<T extends RecordType>(result: DnsResult<T>): DnsAnswer<T> {
  if (!result.ok) throw new Error(`expected an answer, got ${result.kind}: ${result.detail}`);
  return result;
}
