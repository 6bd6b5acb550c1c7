/** Runs `work` over `items` with at most `limit` in flight, keeping results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** An Okta read with the time it was asked for: what Okta answered was true at least then. */
export async function timedRead<R>(read: () => Promise<R>): Promise<{ value: R; readAt: Date }> {
  const readAt = new Date();
  return { value: await read(), readAt };
}
