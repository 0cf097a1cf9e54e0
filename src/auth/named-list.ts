/** Maximum number of items that a sentence names before it counts the rest. */
export const MAX_NAMED_ITEMS = 10;

/**
 * Joins the first `MAX_NAMED_ITEMS` of `items` with `separator` and counts the rest, such as
 * `s1, s2, …, s10, and 990 more`. A message with 1,000 DKIM signatures would otherwise print
 * every selector in one paragraph.
 */
export function namedList(items: readonly string[], separator = ", "): string {
  const named = items.slice(0, MAX_NAMED_ITEMS).join(separator);
  const rest = items.length - MAX_NAMED_ITEMS;
  return rest > 0 ? `${named}${separator}and ${rest.toLocaleString("en-US")} more` : named;
}
