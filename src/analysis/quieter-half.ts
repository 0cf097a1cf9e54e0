/**
 * Removes the half of `entries` whose values `compare` sorts first, such as the sources with
 * the fewest messages, calls `onDrop` with each key removed, and returns how many it removed.
 * Analysers that follow many sources call it when their map is full, so that memory stays
 * bounded while the busiest are still followed.
 */
export function dropQuieterHalf<V>(
  entries: Map<string, V>,
  compare: (a: V, b: V) => number,
  onDrop: (key: string) => void = () => {},
): number {
  const ranked = [...entries].sort((a, b) => compare(a[1], b[1]));
  const dropped = ranked.slice(0, Math.floor(ranked.length / 2));
  for (const [key] of dropped) {
    entries.delete(key);
    onDrop(key);
  }
  return dropped.length;
}
