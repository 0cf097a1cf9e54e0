import type { HistoryStore } from "../store/history.js";
import { blockKey, canonicalIp, type StateChange } from "../store/types.js";
import { cutText, storedProbeResult } from "./stored-result.js";
import type { ProbeResult, ProbeStatus } from "./types.js";

/** The ids and the state change that recording a probe wrote. */
export interface RecordedProbe {
  readonly probeId: number;
  readonly runId: number;
  /** The sending IP the probe was recorded for (see `stateIp`), or null. */
  readonly ip: string | null;
  /** The block state change the probe caused, or null. */
  readonly change: StateChange | null;
}

const BLOCK_VALUES: Record<ProbeStatus, string | null> = {
  accepted: "ok",
  "rate-limited": "rate-limited",
  blocked: "blocked",
  error: null,
};

/**
 * Stores a probe in one transaction with the run, and the provider's block state of the
 * probe's IP: a deferral or rejection opens an incident, an acceptance closes it. An `error`
 * probe, or one whose IP is unknown, changes no state. Alerts are queued on `channels`. The
 * stored result and evidence keep at most 2 KiB of each reply text (`storedProbeResult`).
 */
export function recordProbe(
  store: HistoryStore,
  result: ProbeResult,
  options: {
    readonly target: string;
    readonly forced: boolean;
    readonly channels: readonly string[];
  },
): RecordedProbe {
  return store.transaction(() => {
    const runId = store.runs.start("probe", result.startedAt, { target: options.target });
    const stood = stateIp(store, result, options.target);
    const ip = stood === null ? null : canonicalIp(stood);
    const probeId = store.probes.add(runId, {
      target: options.target,
      recipient: result.recipient,
      sender: result.sender,
      provider: result.provider,
      ip,
      mxHost: result.mx?.host ?? null,
      mxAddress: result.mx?.address ?? null,
      mxPort: result.mx?.port ?? null,
      status: result.status,
      detail: result.detail,
      forced: options.forced,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      result: storedProbeResult(result),
    });
    const value = BLOCK_VALUES[result.status];
    let change: StateChange | null = null;
    if (value !== null && ip !== null) {
      change = store.states.observe(
        {
          key: blockKey(result.provider, ip),
          kind: "block",
          subject: `${result.provider} ${ip}`,
          value,
          at: result.finishedAt,
          runId,
          evidence: probeEvidence(probeId, result),
        },
        options.channels,
      );
    }
    store.runs.finish(runId, result.finishedAt, result.status === "accepted" ? "ok" : "problems");
    return { probeId, runId, ip, change };
  });
}

/**
 * Returns the sending IP the probe stands for. Receivers name the IP they judged in their
 * refusals (Gmail's `[192.0.2.1 15]`) but not in a 250, and behind NAT the local address is
 * not the public one. So a probe without a refusal naming an IP stands for the IP of the last
 * probe of the target made from the same local address. Otherwise a block seen under the
 * public IP could never be seen to lift.
 */
function stateIp(store: HistoryStore, result: ProbeResult, target: string): string | null {
  const named = result.replies.some((reply) => reply.replyCode >= 400 && reply.judgedIp !== null);
  if (named || result.ip === null) return result.ip;
  const last = store.probes.lastOfTarget(target);
  const lastResult = last?.result as Partial<ProbeResult> | undefined;
  if (last === null || lastResult?.localAddress !== result.localAddress) return result.ip;
  return last.ip ?? result.ip;
}

function probeEvidence(probeId: number, result: ProbeResult): object {
  const last = result.replies.filter((r) => r.stage !== "quit" && r.stage !== "other").at(-1);
  return {
    source: "probe",
    probeId,
    status: result.status,
    mx: result.mx?.host ?? null,
    reply:
      last === undefined
        ? null
        : { text: cutText(last.text), ruleId: last.ruleId, stage: last.stage },
  };
}
