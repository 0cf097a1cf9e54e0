/**
 * Placeholder shown instead of a Spamhaus Data Query Service key in output and traces. It has
 * a module of its own so that `diagnose` can recognise keyed zones without loading the
 * blocklist code.
 */
export const KEY_PLACEHOLDER = "<dqs-key>";
