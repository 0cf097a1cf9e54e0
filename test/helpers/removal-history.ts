import { HistoryStore } from "../../src/store/index.js";

const DAY = 86_400_000;

/** A removal request already made: the provider, the IP, and how many days before now. */
export interface PastRemovalRequest {
  readonly provider: string;
  readonly ip: string;
  readonly daysAgo: number;
}

/**
 * Creates a history database at `path` with one removal request per entry, linked to no
 * incident, and returns `path`.
 */
export function writeRemovalHistory(path: string, requests: readonly PastRemovalRequest[]): string {
  const store = HistoryStore.open(path);
  for (const request of requests) {
    store.incidents.addRemoval({
      provider: request.provider,
      ip: request.ip,
      incidentId: null,
      requestedAt: Date.now() - request.daysAgo * DAY,
      forced: false,
      note: null,
    });
  }
  store.close();
  return path;
}
