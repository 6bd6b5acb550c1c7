import { PartitionEnd, PartitionProgress, QUIET_POLLS_TO_GIVE_UP, unreadPartitions } from './read-progress';

const ends: PartitionEnd[] = [
  { topic: 'policy.state.v1', partition: 0, low: '0', high: '100' },
  { topic: 'policy.state.v1', partition: 1, low: '0', high: '50' },
  // An empty partition has nothing to read.
  { topic: 'policy.state.v1', partition: 2, low: '7', high: '7' },
];

function poll(positions: Array<[number, string]>, lastFetchAt: number, previous: PartitionProgress | null): PartitionProgress {
  return unreadPartitions({
    ends,
    positions: positions.map(([partition, offset]) => ({ topic: 'policy.state.v1', partition, offset })),
    lastFetchAt,
    previous,
  });
}

describe('unreadPartitions', () => {
  it('is done when every partition with records was read to its end offset', () => {
    const progress = poll([[0, '100'], [1, '50']], 1, null);
    expect(progress.behind).toEqual([]);
  });

  it('counts a partition never read from as behind', () => {
    expect(poll([[0, '100']], 1, null).behind).toEqual(['policy.state.v1:1']);
  });

  it('gives up on a partition only after enough fetches in a row bring nothing', () => {
    let progress = poll([[0, '100'], [1, '40']], 1, null);
    for (let fetch = 2; fetch <= QUIET_POLLS_TO_GIVE_UP; fetch++) {
      progress = poll([[0, '100'], [1, '40']], fetch, progress);
      expect(progress.givenUp).toBe(false);
    }
    progress = poll([[0, '100'], [1, '40']], QUIET_POLLS_TO_GIVE_UP + 1, progress);
    expect(progress).toMatchObject({ behind: ['policy.state.v1:1'], givenUp: true });
  });

  it('never gives up on time alone: polls without a new fetch (a stalled process) do not count', () => {
    let progress = poll([[1, '40']], 1, null);
    for (let i = 0; i < QUIET_POLLS_TO_GIVE_UP * 3; i++) progress = poll([[1, '40']], 1, progress);
    expect(progress.givenUp).toBe(false);
  });

  it('starts counting again whenever the reader makes progress', () => {
    let progress = poll([[1, '10']], 1, null);
    for (let fetch = 2; fetch < QUIET_POLLS_TO_GIVE_UP; fetch++) progress = poll([[1, '10']], fetch, progress);
    progress = poll([[1, '20']], 100, progress);
    expect(progress.quietPolls).toBe(0);
  });
});
