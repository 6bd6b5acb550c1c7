/** A replica is live while it keeps confirming; one that stopped (crashed, partitioned, stuck) is silent. */
export type ReplicaState = 'live' | 'silent';

export interface AppliedPosition {
  topic: string;
  partition: number;
  /** The next offset the replica will read: every record below it is applied. */
  offset: string;
}

export interface PublishedAt {
  topic: string;
  partition: number;
  offset: string;
}

/** Live when its newest heartbeat is at most `silentAfterMs` old at `now`. */
export function replicaState(input: { lastSeenAt: Date; now: Date; silentAfterMs: number }): ReplicaState {
  return input.now.getTime() - input.lastSeenAt.getTime() <= input.silentAfterMs ? 'live' : 'silent';
}

/** A replica has applied a record once its position on the record's partition is past the record's offset. */
export function hasApplied(positions: readonly AppliedPosition[], record: PublishedAt): boolean {
  return positions.some(
    (position) =>
      position.topic === record.topic && position.partition === record.partition && BigInt(position.offset) > BigInt(record.offset),
  );
}

/**
 * A record is enforced when every live replica has applied it; with no live replica nothing is
 * confirmed, since no gateway has said anything. The heartbeat SQL implements the same rule set-based.
 */
export function isEnforced(input: { liveReplicas: ReadonlyArray<{ positions: readonly AppliedPosition[] }>; record: PublishedAt }): boolean {
  return input.liveReplicas.length > 0 && input.liveReplicas.every((replica) => hasApplied(replica.positions, input.record));
}
