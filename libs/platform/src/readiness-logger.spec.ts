import { Logger } from '@nestjs/common';
import { ReadinessLogger } from './health';

describe('ReadinessLogger', () => {
  let warn: jest.SpyInstance;
  let now: number;

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs a failed check as a warning once per reason and minute, not on every probe', () => {
    const logger = new ReadinessLogger();
    logger.error('Health Check has failed! {"messaging":{"status":"down"}}');
    logger.error('Health Check has failed! {"messaging":{"status":"down"}}');
    now += 59_000;
    logger.error('Health Check has failed! {"messaging":{"status":"down"}}');
    expect(warn.mock.calls.map(([message]) => message)).toEqual(['Health Check has failed! {"messaging":{"status":"down"}}']);

    logger.error('Health Check has failed! {"database":{"status":"down"}}');
    expect(warn).toHaveBeenCalledTimes(2);
    now += 60_000;
    logger.error('Health Check has failed! {"database":{"status":"down"}}');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[2][0]).toBe('Health Check has failed! {"database":{"status":"down"}}');
  });
});
