import { TopicPosition } from '@attest/contracts';

export interface TopicEnds {
  topic: string;
  partitions: ReadonlyArray<{ partition: number; high: string; low: string }>;
}

/**
 * Records on the view's topics not yet applied: per partition, its end offset less the next offset
 * the view will read (the start of the partition when it has read nothing there yet).
 */
export function policyLag(options: { ends: readonly TopicEnds[]; positions: readonly TopicPosition[] }): number {
  const next = new Map(options.positions.map((p) => [`${p.topic}:${p.partition}`, BigInt(p.offset)]));
  let lag = 0n;
  for (const { topic, partitions } of options.ends) {
    for (const { partition, high, low } of partitions) {
      const behind = BigInt(high) - (next.get(`${topic}:${partition}`) ?? BigInt(low));
      if (behind > 0n) lag += behind;
    }
  }
  return Number(lag);
}
