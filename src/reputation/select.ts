import { isLive } from "./catalogue.js";
import type { BlocklistEntry } from "./types.js";

/** Which lists a run asks, on top of the catalogue's defaults. */
export interface ListChoice {
  /** Ids given with `--list`; `all` stands for every live list. Replaces the defaults. */
  readonly ids?: readonly string[] | undefined;
  /** Ids a config file turns on or off; they change the defaults only. */
  readonly enable?: readonly string[] | undefined;
  readonly disable?: readonly string[] | undefined;
}

/** The chosen lists, and whether the user named them (then skipped lists are reported). */
export interface ChosenLists {
  readonly lists: readonly BlocklistEntry[];
  readonly explicit: boolean;
}

/**
 * Chooses the lists of a run: the ids given, or else the default lists with the config's
 * changes. Throws a TypeError naming an unknown id and the known ones.
 */
export function chooseLists(catalogue: readonly BlocklistEntry[], choice: ListChoice): ChosenLists {
  const byId = new Map(catalogue.map((entry) => [entry.id, entry]));
  const find = (id: string): BlocklistEntry => {
    const entry = byId.get(id);
    if (entry === undefined) {
      throw new TypeError(
        `unknown blocklist "${id}": use one of ${[...byId.keys()].join(", ")}, or all`,
      );
    }
    return entry;
  };

  if (choice.ids !== undefined && choice.ids.length > 0) {
    const ids = new Set(choice.ids);
    const lists = ids.has("all") ? catalogue.filter(isLive) : [...ids].map((id) => find(id));
    return { lists, explicit: true };
  }
  const enabled = new Set(choice.enable ?? []);
  const disabled = new Set(choice.disable ?? []);
  for (const id of [...enabled, ...disabled]) find(id);
  const lists = catalogue.filter(
    (entry) => (entry.defaultEnabled || enabled.has(entry.id)) && !disabled.has(entry.id),
  );
  return { lists, explicit: false };
}
