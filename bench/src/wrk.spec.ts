import { parseWrk, QUANTILE_PERCENTS, QUANTILES_SCRIPT } from './wrk';

const REPORT = `Running 10s test @ http://127.0.0.1:41234/bench/items/1
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  411.22us  12.01ms   90.12%
    Req/Sec    10.61k   512.33    11.50k    71.00%
  Latency Distribution
     50%    1.45ms
     75%    1.62ms
     90%    1.90ms
     99%  950.00us
  211234 requests in 10.00s, 40.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  21123.40
Transfer/sec:      4.01MB
`;

describe('parseWrk', () => {
  it('reads throughput, percentiles in any unit, and every kind of error', () => {
    expect(parseWrk(REPORT)).toEqual({ requests: 211234, seconds: 10, rps: 21123.4, p50Ms: 1.45, p99Ms: 0.95, errors: 7 });
  });

  it('reads a latency of seconds, which wrk prints with a trailing space', () => {
    const slow = REPORT.replace('     50%    1.45ms', '     50%    8.52ms').replace('     99%  950.00us', '     99%    1.01s ');
    expect(parseWrk(slow)).toMatchObject({ p50Ms: 8.52, p99Ms: 1010 });
  });

  it('reads the latency distribution the quantiles script prints, in ms', () => {
    const withQuantiles = `${REPORT}quantile 0 212\nquantile 50 1450\nquantile 99.99 9875\nquantile 100 12010\n`;
    expect(parseWrk(withQuantiles).quantiles).toEqual([
      [0, 0.212],
      [50, 1.45],
      [99.99, 9.875],
      [100, 12.01],
    ]);
    expect(parseWrk(REPORT).quantiles).toBeUndefined();
  });

  it('has a script that prints every percent of the grid between the minimum and the maximum', () => {
    expect(QUANTILES_SCRIPT).toContain(`ipairs({ ${QUANTILE_PERCENTS.join(', ')} })`);
    expect(QUANTILES_SCRIPT).toContain('latency.min');
    expect(QUANTILES_SCRIPT).toContain('latency.max');
    expect([...QUANTILE_PERCENTS].sort((a, b) => a - b)).toEqual(QUANTILE_PERCENTS);
    expect(QUANTILE_PERCENTS).toContain(99);
  });

  it('refuses output without the latency table rather than inventing numbers', () => {
    expect(() => parseWrk(REPORT.replace(/ {5}99%.*\n/, ''))).toThrow(/unrecognised wrk output/);
  });
});
