/**
 * Runs `work` over `items`, at most `concurrency` at once, in order of start: the sync's in-process
 * fan-out caps its runs this way, and the operator's commands their Secrets Manager and Graph calls.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}
