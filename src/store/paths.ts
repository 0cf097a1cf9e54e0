import { homedir } from "node:os";
import { join } from "node:path";

/** The file name of the history database inside the state directory. */
export const DATABASE_FILE = "history.sqlite";

/**
 * Returns the default history database path: `$XDG_STATE_HOME/delist/history.sqlite`, or
 * `~/.local/state/delist/history.sqlite` when the variable is unset or not absolute, because the
 * XDG Base Directory specification requires relative values to be ignored. This module loads
 * no SQLite, so a command can look for the database without loading the store.
 */
export function defaultDatabasePath(
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): string {
  const state = env["XDG_STATE_HOME"];
  const base = state !== undefined && state.startsWith("/") ? state : join(home, ".local", "state");
  return join(base, "delist", DATABASE_FILE);
}
