import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { waitFor } from './wait-for';

export const SERVICE_NAMES = ['enforcement', 'identity-sync', 'usage-ingest', 'review-scheduler', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Default ports of `npm start`, each overridable by the service's PORT. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 8080,
  enforcement: 3001,
  'identity-sync': 3002,
  'usage-ingest': 3003,
  'review-scheduler': 3004,
};

const REPO_ROOT = resolve(__dirname, '../../..');

export interface ServiceProcessOptions {
  name: ServiceName;
  port: number;
  env: Record<string, string>;
  /** Called with every line the service prints (it is also kept in `lines`). */
  onLine?: (service: string, line: string) => void;
  /** Distinguishes two processes of one service (e.g. a second gateway). */
  label?: string;
  /** Options for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/** One service running from its build output as a real OS process. */
export class ServiceProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<unknown> | null = null;

  constructor(readonly options: ServiceProcessOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get label(): string {
    return this.options.label ?? this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): this {
    const main = resolve(REPO_ROOT, 'apps', this.options.name, 'dist', 'main.js');
    const child = spawn(process.execPath, ['--enable-source-maps', ...(this.options.nodeArgs ?? []), main], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.options.env, PORT: String(this.options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = once(child, 'exit');
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          this.lines.push(line);
          this.options.onLine?.(this.label, line);
        }
      });
    }
    return this;
  }

  async waitReady(timeoutMs = 60000): Promise<void> {
    await waitFor(
      async () => {
        if (this.child?.exitCode !== null) {
          throw new Error(`${this.label} exited with ${this.child?.exitCode}:\n${this.lines.slice(-30).join('\n')}`);
        }
        const response = await fetch(`${this.url}/health/ready`).catch(() => null);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 100, description: `${this.label} ready on ${this.url}` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- last output of ${this.label} ---\n${this.lines.slice(-30).join('\n')}`);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(graceMs = 15000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface ClusterOptions {
  databaseUrl: string;
  brokers: string;
  adminToken: string;
  /** Ports per service; missing ones take free ports chosen at start. */
  ports?: Partial<Record<ServiceName, number>>;
  env?: Record<string, string>;
  onLine?: (service: string, line: string) => void;
}

/** The whole Attest cluster as real processes, driven only through HTTP by whoever started it. */
export class Cluster {
  readonly services = new Map<string, ServiceProcess>();

  constructor(private readonly options: ClusterOptions) {}

  url(name: ServiceName): string {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.url;
  }

  get allLines(): string[] {
    return [...this.services.values()].flatMap((service) => service.lines);
  }

  async start(): Promise<void> {
    // enforcement first: it creates the compacted topics' first state; the rest can start together.
    await this.startService('enforcement');
    await Promise.all(SERVICE_NAMES.filter((name) => name !== 'enforcement').map((name) => this.startService(name)));
  }

  async startService(name: ServiceName, options: { label?: string; port?: number; env?: Record<string, string> } = {}) {
    const port = options.port ?? this.options.ports?.[name] ?? (await freePort());
    const service = new ServiceProcess({
      name,
      port,
      label: options.label,
      onLine: this.options.onLine,
      env: {
        NODE_ENV: 'development',
        DATABASE_URL: this.options.databaseUrl,
        KAFKA_BROKERS: this.options.brokers,
        ATTEST_ADMIN_TOKEN: this.options.adminToken,
        ...this.options.env,
        ...options.env,
      },
    }).start();
    this.services.set(options.label ?? name, service);
    await service.waitReady();
    return service;
  }

  async stop(): Promise<void> {
    // The gateway first, so nothing new arrives while the back-end services drain.
    const ordered = [...this.services.values()].sort((a, b) => Number(b.options.name === 'gateway') - Number(a.options.name === 'gateway'));
    for (const service of ordered) await service.stop();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
