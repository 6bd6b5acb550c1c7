/** A partition's offsets when reading began. */
export interface PartitionEnd {
  topic: string;
  partition: number;
  low: string;
  high: string;
}

/** How far the reader got on the partitions still short of their end, observed poll after poll. */
export interface PartitionProgress {
  /** `topic:partition` of each partition below its end offset. */
  behind: string[];
  /** Their positions at this poll. */
  positions: Record<string, string>;
  /** When the reader last heard from the broker, at this poll. */
  lastFetchAt: number;
  /** Polls in a row with a new fetch and no progress on any partition behind. */
  quietPolls: number;
  /** The broker keeps answering and nothing comes: the tail of these partitions was compacted away. */
  givenUp: boolean;
}

/** Enough empty fetches in a row (about 250 ms apart) that the partition has nothing more to give. */
export const QUIET_POLLS_TO_GIVE_UP = 8;

/**
 * Which partitions the reader has not yet read to their end offset, and whether to stop waiting for
 * them. Waiting stops only on fetches that keep coming back empty, never on time alone: a busy
 * process applies records late, it does not fetch nothing.
 */
export function unreadPartitions(input: {
  ends: readonly PartitionEnd[];
  positions: ReadonlyArray<{ topic: string; partition: number; offset: string }>;
  lastFetchAt: number;
  previous: PartitionProgress | null;
}): PartitionProgress {
  const reached = new Map(input.positions.map((position) => [`${position.topic}:${position.partition}`, BigInt(position.offset)]));
  const positions: Record<string, string> = {};
  for (const end of input.ends) {
    const id = `${end.topic}:${end.partition}`;
    const position = reached.get(id) ?? BigInt(end.low);
    if (position < BigInt(end.high)) positions[id] = position.toString();
  }
  const behind = Object.keys(positions);
  const previous = input.previous;
  const moved = previous === null || behind.length !== previous.behind.length || behind.some((id) => previous.positions[id] !== positions[id]);
  const fetched = previous !== null && input.lastFetchAt > previous.lastFetchAt;
  const quietPolls = moved ? 0 : fetched ? previous.quietPolls + 1 : previous.quietPolls;
  return { behind, positions, lastFetchAt: input.lastFetchAt, quietPolls, givenUp: quietPolls >= QUIET_POLLS_TO_GIVE_UP };
}
