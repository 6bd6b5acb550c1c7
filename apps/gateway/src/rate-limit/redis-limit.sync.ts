import Redis, { ChainableCommander } from 'ioredis';
import type { Logger as PinoLogger } from 'pino';
import { RateLimiter } from './domain/rate-limiter';
import { SubjectLimits } from './domain/subject-limits';

/**
 * The shared token bucket: refilled by the time since it was last touched, less what a replica took,
 * floored at minus one burst so a burst of overshoot cannot lock a key out for long. It keeps a
 * fractional level, so the reply is a string (Redis would truncate a Lua number).
 */
const SHARED_BUCKET_SCRIPT = `
local held = redis.call('HMGET', KEYS[1], 't', 'at')
local taken = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local tokens = tonumber(held[1])
local at = tonumber(held[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * perMs)
  at = now
end
tokens = math.max(-burst, tokens - taken)
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return tostring(tokens)
`;

/** A subject stays synced this long after its last use, so a replica keeps learning what the others take. */
const RECENT_MS = 10_000;
/** Quota counters outlive their window a little, for replicas whose clocks lag. */
const WINDOW_GRACE_MS = 3_600_000;
/** Commands that take longer fail the sync: it is retried with the next one. */
const COMMAND_TIMEOUT_MS = 1000;
const RECONNECT_EVERY_MS = 1000;

type SharedBucketPipeline = ChainableCommander & {
  attestSharedBucket(key: string, taken: number, perMs: number, burst: number, nowMs: number, ttlMs: number): ChainableCommander;
};

/** What to do with the answer of one pipelined command. */
type Apply = (error: Error | null, reply: unknown) => void;

export interface RedisLimitSyncOptions {
  url: string;
  intervalMs: number;
  limiter: RateLimiter;
  logger: PinoLogger;
  /** Told after every sync attempt. */
  onSync: (outcome: { ok: boolean; subjects: number }) => void;
}

/**
 * Cluster mode of the rate limiter. The request path never waits on Redis: each replica decides from
 * its local state, and every `intervalMs` pushes what it consumed (INCRBY per quota window key, the
 * shared bucket script per bucket) and reads the cluster's totals back in one pipeline. Limits hold
 * across replicas to within what they admit in one sync interval. When Redis cannot be reached, the
 * replica keeps deciding from what it knows (local limits), keeps quota counts to push later, and
 * says so through `up`.
 */
export class RedisLimitSync {
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** `unknown` until the first sync attempt. */
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private everUp = false;
  private attempts = 0;

  constructor(private readonly options: RedisLimitSyncOptions) {
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // Fail at once while disconnected rather than queue: the next sync sends fresher totals anyway.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      // How long a closing connection may linger before it is destroyed (ioredis waits 2 s by default).
      disconnectTimeout: 200,
      retryStrategy: () => RECONNECT_EVERY_MS,
    });
    this.redis.defineCommand('attestSharedBucket', { numberOfKeys: 1, lua: SHARED_BUCKET_SCRIPT });
    // Without a listener ioredis prints every failed reconnect; the sync reports the state instead.
    this.redis.on('error', () => undefined);
  }

  /** True while the last sync reached Redis. */
  get up(): boolean {
    return this.state === 'up';
  }

  start(): void {
    this.redis.connect().catch(() => undefined);
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
  }

  /** Pushes what is still unsynced (quota counts are real requests), then lets Redis go. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.tick();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /** One sync, unless the previous one is still under way. */
  tick(): Promise<void> {
    if (this.running === null) this.running = this.sync().finally(() => (this.running = null));
    return this.running;
  }

  private async sync(): Promise<void> {
    const subjects = this.options.limiter.recentlyUsed(RECENT_MS);
    if (this.redis.status !== 'ready') {
      // Rate consumption is only worth sharing while fresh; quota counts stay until they can be pushed.
      for (const subject of subjects) subject.bucket?.beginSync();
      return this.report(false, subjects.length);
    }
    if (subjects.length === 0) return this.report(true, 0);
    const nowMs = Date.now();
    const pipeline = this.redis.pipeline() as SharedBucketPipeline;
    const appliers: Apply[] = [];
    for (const subject of subjects) this.queue({ subject, pipeline, appliers, nowMs });
    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      replies = null;
      this.options.logger.debug({ err: error }, 'rate-limit sync failed');
    }
    if (replies === null || replies.length !== appliers.length) {
      const failure = new Error('no reply');
      for (const apply of appliers) apply(failure, null);
      return this.report(false, subjects.length);
    }
    let ok = true;
    replies.forEach(([error, reply], i) => {
      if (error !== null) ok = false;
      appliers[i](error, reply);
    });
    this.report(ok, subjects.length);
  }

  private queue(options: { subject: SubjectLimits; pipeline: SharedBucketPipeline; appliers: Apply[]; nowMs: number }): void {
    const { subject, pipeline, appliers, nowMs } = options;
    const bucket = subject.bucket;
    if (bucket !== null) {
      const taken = bucket.beginSync();
      const refillMs = (bucket.capacity * 1000) / bucket.requestsPerSecond;
      pipeline.attestSharedBucket(`attest:rl:${subject.id}:b`, taken, bucket.requestsPerSecond / 1000, bucket.capacity, nowMs, Math.ceil(refillMs) + 1000);
      // A failed push is dropped: consumption of a rate is only worth sharing while it is fresh.
      appliers.push((error, reply) => {
        if (error === null && subject.bucket === bucket) bucket.completeSync(Number(reply), nowMs);
      });
    }
    for (const counter of [subject.day, subject.month]) {
      if (counter === null) continue;
      const push = counter.beginSync();
      const key = `attest:rl:${subject.id}:${push.windowId}`;
      pipeline.incrby(key, push.count);
      appliers.push((error, reply) => {
        if (error === null) counter.completeSync(push.windowId, Number(reply));
        else counter.failSync(push.windowId);
      });
      pipeline.pexpireat(key, push.windowEndMs + WINDOW_GRACE_MS);
      appliers.push(() => undefined);
    }
  }

  private report(ok: boolean, subjects: number): void {
    this.attempts++;
    // The very first attempt may run before the connection is made: a failure then says nothing yet.
    if ((ok || this.attempts > 1) && (ok ? 'up' : 'down') !== this.state) {
      if (ok) this.options.logger.info(this.everUp ? 'rate limits are shared through Redis again' : 'rate limits are shared through Redis');
      else this.options.logger.warn('Redis is unreachable: rate limits are enforced per replica until it answers');
      this.state = ok ? 'up' : 'down';
      this.everUp ||= ok;
    }
    this.options.onSync({ ok, subjects });
  }
}
