import { canonicalJson } from '../../policy/domain/canonical-json';

/** One subject's state as the database wants it published. */
export interface DesiredState {
  /** Principal id or API id: the message key and the id inside the state. */
  id: string;
  version: number;
  state: unknown;
}

/** One record read from a compacted topic: `state` null is a tombstone or a record no consumer can read. */
export interface TopicRecord {
  key: string;
  /** The subject the state names (what a gateway indexes it by); null for a tombstone. */
  id: string | null;
  version: number | null;
  state: unknown;
}

/** What the compacted topic gives a gateway that rebuilds from it, per subject. */
export interface ObservedState {
  /** The newest state a rebuilding gateway ends up with (it keeps the highest version); null: none. */
  effective: { version: number; state: unknown } | null;
  /** The highest version any record ever carried: a running gateway may hold it, so a repair must go past it. */
  maxVersion: number;
}

export type DriftKind = 'missing' | 'older' | 'different' | 'ahead';

export interface Drift {
  id: string;
  kind: DriftKind;
  /** The database version the comparison was made against; a repair applies only while it is still current. */
  desiredVersion: number;
  observedVersion: number | null;
  /** The republished version must exceed this. */
  above: number;
}

/**
 * Folds a topic's records (in the order read) into what a gateway rebuilding from the compacted
 * topic would hold: per message key only the last record survives compaction; per subject the
 * highest version among those wins, as the gateway ignores older versions.
 */
export function observe(records: Iterable<TopicRecord>): Map<string, ObservedState> {
  const lastByKey = new Map<string, TopicRecord>();
  const maxVersion = new Map<string, number>();
  for (const record of records) {
    lastByKey.set(record.key, record);
    if (record.id !== null && record.version !== null) {
      maxVersion.set(record.id, Math.max(maxVersion.get(record.id) ?? 0, record.version));
    }
  }
  const observed = new Map<string, ObservedState>();
  for (const [id, version] of maxVersion) observed.set(id, { effective: null, maxVersion: version });
  for (const record of lastByKey.values()) {
    if (record.id === null || record.version === null) continue;
    const held = observed.get(record.id)!;
    if (held.effective === null || record.version > held.effective.version) {
      held.effective = { version: record.version, state: record.state };
    }
  }
  return observed;
}

/**
 * Compares what the database wants with what the topic gives. A subject whose change still waits in
 * the outbox is left alone: the relay is about to publish it.
 */
export function findDrifts(input: {
  desired: readonly DesiredState[];
  observed: ReadonlyMap<string, ObservedState>;
  inFlight: ReadonlySet<string>;
}): Drift[] {
  const drifts: Drift[] = [];
  for (const desired of input.desired) {
    if (input.inFlight.has(desired.id)) continue;
    const observed = input.observed.get(desired.id);
    const kind = driftKind(desired, observed?.effective ?? null);
    if (kind === null) continue;
    drifts.push({
      id: desired.id,
      kind,
      desiredVersion: desired.version,
      observedVersion: observed?.effective?.version ?? null,
      above: Math.max(desired.version, observed?.maxVersion ?? 0),
    });
  }
  return drifts;
}

/** Subjects a rebuilding gateway would hold that the database does not know. */
export function unknownSubjects(input: { desired: readonly DesiredState[]; observed: ReadonlyMap<string, ObservedState> }): string[] {
  const known = new Set(input.desired.map((desired) => desired.id));
  return [...input.observed].filter(([id, state]) => state.effective !== null && !known.has(id)).map(([id]) => id);
}

function driftKind(desired: DesiredState, effective: ObservedState['effective']): DriftKind | null {
  if (effective === null) return 'missing';
  if (effective.version < desired.version) return 'older';
  if (effective.version > desired.version) return 'ahead';
  return canonicalJson(effective.state) === canonicalJson(desired.state) ? null : 'different';
}
