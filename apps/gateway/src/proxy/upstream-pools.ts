import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'undici';
import { GatewayConfig } from '../config';

/** Upper bound of open connections to one upstream; further requests queue in the pool. */
const CONNECTIONS_PER_ORIGIN = 256;

/** One keep-alive undici pool per upstream origin, created on first use and closed on shutdown. */
@Injectable()
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly timeoutMs: number;

  constructor(config: ConfigService<GatewayConfig, true>) {
    this.timeoutMs = config.get('UPSTREAM_TIMEOUT_MS', { infer: true });
  }

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: CONNECTIONS_PER_ORIGIN,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connect: { timeout: this.timeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
