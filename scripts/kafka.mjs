#!/usr/bin/env node
// Provides a single-node Kafka (KRaft) broker for local development and tests without any npm dependency:
// it reuses a broker that already answers, else starts the docker compose service, else runs the broker on
// the local JVM from jars fetched with Maven into .cache/kafka.
//
//   node scripts/kafka.mjs up       ensure a broker is running, print its bootstrap address
//   node scripts/kafka.mjs down     stop the broker recorded in .cache/kafka/kafka.pid
//   node scripts/kafka.mjs status   report whether a broker answers (exit code 1 when not)
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POM = path.join(ROOT, 'scripts', 'kafka', 'pom.xml');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const HOME = path.join(ROOT, '.cache', 'kafka');
const LIBS = path.join(HOME, 'libs');
const LIBS_MARKER = path.join(LIBS, '.complete');
const DATA = path.join(HOME, 'data');
const SERVER_PROPERTIES = path.join(HOME, 'server.properties');
const LOG4J_PROPERTIES = path.join(HOME, 'log4j.properties');
const SERVER_LOG = path.join(HOME, 'server.log');
const PID_FILE = path.join(HOME, 'kafka.pid');
const CLUSTER_ID_FILE = path.join(HOME, 'cluster.id');
const START_LOCK = path.join(HOME, 'start.lock');

const HOST = '127.0.0.1';
const HEALTH_DEADLINE_MS = 90_000;
const POLL_MS = 250;
const STOP_GRACE_MS = 20_000;
const LOCK_WAIT_MS = 5 * 60_000; // outlasts a cold Maven fetch plus the health deadline
const LOG_TAIL_LINES = 40;
const API_VERSIONS_KEY = 18;

/**
 * Makes sure a Kafka broker is reachable and returns its bootstrap address.
 * `stop` only stops a broker that this call started; it is a no-op for reused or external brokers.
 */
export async function ensureKafka({ port = Number(process.env.KAFKA_PORT ?? 9092), log = console.log } = {}) {
  if (process.env.KAFKA_BROKERS) return useExternalBrokers(process.env.KAFKA_BROKERS, log);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`kafka: invalid port ${port}`);

  const reused = await reusableBroker(port, log);
  if (reused) return reused;
  // Checked again under the lock because another caller may have started a broker while we waited for it.
  return withStartLock(async () => (await reusableBroker(port, log)) ?? start(port, log));
}

async function reusableBroker(port, log) {
  const brokers = `${HOST}:${port}`;
  if (await kafkaAnswers(HOST, port, 0)) {
    log(`kafka: reusing the broker already answering at ${brokers}`);
    return { brokers, started: false, stop: async () => {} };
  }
  const pid = runningPid();
  if (pid === undefined) return undefined;
  await awaitStartingBroker(pid, port, log);
  return { brokers, started: false, stop: async () => {} };
}

async function start(port, log) {
  if (await dockerEngineAnswers()) return startWithDocker(port, log);
  return startOnJvm(port, log);
}

// Parallel callers (e.g. several test targets at once) would otherwise each spawn a broker on the same data dir.
async function withStartLock(action) {
  mkdirSync(HOME, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(START_LOCK, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    // A lock whose holder died (Ctrl-C, crash) is stale and must not block every later run.
    if (!processAlive(Number(readText(START_LOCK)))) rmSync(START_LOCK, { force: true });
    else if (Date.now() > deadline) throw new Error(`kafka: ${START_LOCK} is held by pid ${readText(START_LOCK)}`);
    else await sleep(POLL_MS);
  }
  try {
    return await action();
  } finally {
    rmSync(START_LOCK, { force: true });
  }
}

/** Stops the broker recorded in the pid file; returns whether one was running. */
export async function stopKafka({ log = console.log } = {}) {
  const pid = runningPid();
  if (pid === undefined) {
    log('kafka: no broker started by scripts/kafka.mjs is running');
    return false;
  }
  log(`kafka: stopping broker pid ${pid}`);
  await stopPid(pid);
  return true;
}

/**
 * Polls host:port every 250 ms until it answers a Kafka ApiVersions request or the deadline passes;
 * timeoutMs = 0 means a single probe. `giveUp` lets a caller stop early, e.g. once the broker process died.
 */
export async function kafkaAnswers(host, port, timeoutMs, { giveUp = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Each probe gets at least 1 s so a busy but healthy broker is not mistaken for a dead one.
    const attemptMs = Math.min(Math.max(deadline - Date.now(), 1_000), 2_000);
    if (await probeApiVersions(host, port, attemptMs)) return true;
    if (Date.now() + POLL_MS >= deadline || giveUp()) return false;
    await sleep(POLL_MS);
  }
}

// Sends one ApiVersions v0 request and resolves true only for a well-formed, error-free reply to it.
function probeApiVersions(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const correlationId = randomInt(1, 2 ** 31 - 1);
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => socket.write(apiVersionsRequest(correlationId)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      // A non-Kafka peer (HTTP, Redis, ...) yields an absurd size; reject it instead of waiting for more bytes.
      if (size < 0 || size > 1 << 20) return finish(false);
      if (received.length >= 4 + size) finish(isApiVersionsResponse(received.subarray(4, 4 + size), correlationId));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

function apiVersionsRequest(correlationId) {
  const clientId = Buffer.from('attest-kafka-probe');
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2); // api_version 0: understood by every broker since 0.10
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

// v0 response: correlation_id int32, error_code int16, then [api_key, min_version, max_version] int16 triples.
function isApiVersionsResponse(body, correlationId) {
  if (body.length < 10 || body.readInt32BE(0) !== correlationId || body.readInt16BE(4) !== 0) return false;
  const count = body.readInt32BE(6);
  if (count < 1 || body.length !== 10 + 6 * count) return false;
  return Array.from({ length: count }, (_, i) => body.readInt16BE(10 + 6 * i)).includes(API_VERSIONS_KEY);
}

// One answering broker is enough to bootstrap a client, so the others stop polling as soon as any answers.
async function useExternalBrokers(list, log) {
  let answered = false;
  const probes = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map(async (address) => {
      const separator = address.lastIndexOf(':');
      const host = address.slice(0, separator);
      const port = Number(address.slice(separator + 1));
      if (await kafkaAnswers(host, port, HEALTH_DEADLINE_MS, { giveUp: () => answered })) answered = true;
    });
  await Promise.all(probes);
  if (!answered) throw new Error(`kafka: no broker in KAFKA_BROKERS=${list} answered within 90 s`);
  log(`kafka: using KAFKA_BROKERS=${list}`);
  return { brokers: list, started: false, stop: async () => {} };
}

// A broker from an earlier run may still be booting; waiting beats starting a second one on the same data dir.
async function awaitStartingBroker(pid, port, log) {
  const configuredPort = configuredBrokerPort();
  if (configuredPort !== port) {
    throw new Error(
      `kafka: broker pid ${pid} from .cache/kafka listens on port ${configuredPort}, not ${port}; ` +
        'run "node scripts/kafka.mjs down" first',
    );
  }
  log(`kafka: waiting for broker pid ${pid} from .cache/kafka to answer on ${HOST}:${port}`);
  await waitForBroker(pid, port, log);
}

async function dockerEngineAnswers() {
  return (await exec('docker', ['info'], { timeout: 10_000 })).code === 0;
}

async function startWithDocker(port, log) {
  log(`kafka: starting the "kafka" service from docker-compose.yml on ${HOST}:${port}`);
  const compose = (...args) =>
    run('docker', ['compose', '-f', COMPOSE_FILE, ...args], { env: { ...process.env, KAFKA_PORT: String(port) } });
  await compose('up', '-d', 'kafka');
  if (!(await kafkaAnswers(HOST, port, HEALTH_DEADLINE_MS))) {
    throw new Error(
      `kafka: the docker "kafka" service did not answer on ${HOST}:${port} within 90 s; see "docker compose logs kafka"`,
    );
  }
  return {
    brokers: `${HOST}:${port}`,
    started: true,
    stop: async () => {
      await compose('stop', 'kafka');
    },
  };
}

async function startOnJvm(port, log) {
  if (!(await portFree(port))) {
    throw new Error(`kafka: ${HOST}:${port} is taken by something that is not a Kafka broker; free it or set KAFKA_PORT`);
  }
  const started = Date.now();
  await fetchJars(log);
  writeConfig(port, await controllerPort(port));
  await formatStorage(log);
  const pid = await spawnBroker();
  log(`kafka: started broker pid ${pid} on ${HOST}:${port} (logs: ${path.relative(ROOT, SERVER_LOG)})`);
  await waitForBroker(pid, port, log);
  log(`kafka: broker ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { brokers: `${HOST}:${port}`, started: true, stop: () => stopPid(pid) };
}

// The marker holds the pom's hash so an interrupted copy or a Kafka version bump triggers a fresh fetch.
async function fetchJars(log) {
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex');
  if (readText(LIBS_MARKER) === pomHash) return;
  log('kafka: fetching the broker jars with Maven (first run only)');
  rmSync(LIBS, { recursive: true, force: true });
  const copy = ['dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`, '-DincludeScope=runtime'];
  await run('mvn', ['-q', '-B', '-f', POM, ...copy]);
  writeFileSync(LIBS_MARKER, pomHash);
}

// port + 1000 keeps the controller port predictable; any free port works because the quorum has one voter.
async function controllerPort(port) {
  const preferred = port + 1000;
  if (preferred <= 65535 && (await portFree(preferred))) return preferred;
  return ephemeralPort();
}

function writeConfig(port, ctrlPort) {
  writeProperties(SERVER_PROPERTIES, {
    'node.id': 1,
    'process.roles': 'broker,controller',
    listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${ctrlPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.voters': `1@${HOST}:${ctrlPort}`,
    'log.dirs': DATA,
    'num.partitions': 3,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'log.retention.hours': 24,
    'log.cleaner.enable': true,
    'log.cleaner.threads': 1,
    'log.cleaner.backoff.ms': 5_000,
    'log.cleaner.dedupe.buffer.size': 32 * 1024 * 1024,
  });
  // The broker's stdout/stderr go to the same file, so both writers must append.
  writeProperties(LOG4J_PROPERTIES, {
    'log4j.rootLogger': 'INFO, file',
    'log4j.appender.file': 'org.apache.log4j.FileAppender',
    'log4j.appender.file.File': SERVER_LOG,
    'log4j.appender.file.Append': true,
    'log4j.appender.file.layout': 'org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern': '[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger': 'WARN',
  });
}

function writeProperties(file, entries) {
  const lines = Object.entries(entries).map(([key, value]) => `${key}=${value}`);
  const header = '# Generated by scripts/kafka.mjs on every start; edit the script, not this file.';
  writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
}

// Formats only when the data dir is not already ours; a dir left by another cluster id is disposable, so it is wiped.
async function formatStorage(log) {
  const clusterId = readText(CLUSTER_ID_FILE) ?? newClusterId();
  writeFileSync(CLUSTER_ID_FILE, clusterId);
  if (readText(path.join(DATA, 'meta.properties'))?.match(/^cluster\.id=(.*)$/m)?.[1] === clusterId) return;

  const args = ['format', '-t', clusterId, '-c', SERVER_PROPERTIES, '--ignore-formatted'];
  const format = () => exec('java', [...javaClasspath(), 'kafka.tools.StorageTool', ...args]);
  let result = await format();
  if (result.code !== 0 && /Invalid cluster\.id/.test(result.output)) {
    log(`kafka: ${path.relative(ROOT, DATA)} belongs to another cluster; wiping it`);
    rmSync(DATA, { recursive: true, force: true });
    result = await format();
  }
  if (result.code !== 0) throw new Error(`kafka: formatting ${DATA} failed:\n${result.output}`);
}

// Kafka's Uuid is 16 random bytes in base64url; a leading '-' would be parsed as a CLI option.
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaClasspath() {
  return [`-Dlog4j.configuration=${pathToFileURL(LOG4J_PROPERTIES).href}`, '-cp', path.join(LIBS, '*')];
}

// Detached with its output in a file so the broker outlives this script and later runs can reuse it.
async function spawnBroker() {
  writeFileSync(SERVER_LOG, '');
  const out = openSync(SERVER_LOG, 'a');
  try {
    const child = spawn('java', ['-Xms256m', '-Xmx1g', ...javaClasspath(), 'kafka.Kafka', SERVER_PROPERTIES], {
      cwd: HOME,
      detached: true,
      stdio: ['ignore', out, out],
    });
    await once(child, 'spawn').catch((error) => {
      throw new Error(spawnFailure('java', error));
    });
    child.unref();
    writeFileSync(PID_FILE, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

async function waitForBroker(pid, port, log) {
  if (await kafkaAnswers(HOST, port, HEALTH_DEADLINE_MS, { giveUp: () => !brokerAlive(pid) })) return;
  const exited = !brokerAlive(pid);
  await stopPid(pid);
  log(`kafka: last ${LOG_TAIL_LINES} lines of ${SERVER_LOG}:\n${tail(SERVER_LOG, LOG_TAIL_LINES)}`);
  throw new Error(
    exited
      ? `kafka: broker pid ${pid} exited before answering on ${HOST}:${port}; see ${SERVER_LOG}`
      : `kafka: broker pid ${pid} did not answer on ${HOST}:${port} within 90 s and was stopped; see ${SERVER_LOG}`,
  );
}

async function stopPid(pid) {
  if (brokerAlive(pid)) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (brokerAlive(pid) && Date.now() < deadline) await sleep(POLL_MS);
    if (brokerAlive(pid)) signal(pid, 'SIGKILL');
  }
  if (readPid() === pid) rmSync(PID_FILE, { force: true });
}

// The broker may exit between the liveness check and the signal, which is what we wanted anyway.
function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

// Drops a pid file whose process is gone, so a crashed or rebooted-away broker never blocks a fresh start.
function runningPid() {
  const pid = readPid();
  if (pid === undefined || brokerAlive(pid)) return pid;
  rmSync(PID_FILE, { force: true });
  return undefined;
}

function readPid() {
  const pid = Number.parseInt(readText(PID_FILE) ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function processAlive(pid) {
  if (!Number.isInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function brokerAlive(pid) {
  if (!processAlive(pid)) return false;
  // A recycled pid must not pass for our broker; /proc settles it where it exists (Linux), zombies included.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return !existsSync('/proc/self');
  }
}

function configuredBrokerPort() {
  return Number(readText(SERVER_PROPERTIES)?.match(/^listeners=PLAINTEXT:\/\/[^,]*:(\d+)/m)?.[1]);
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

function ephemeralPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function tail(file, lines) {
  return (readText(file) ?? '(empty)').split('\n').slice(-lines).join('\n');
}

// Resolves with the exit code and combined output; a command that cannot be spawned shows up as code -1.
function exec(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.once('error', (error) => resolve({ code: -1, output: spawnFailure(command, error) }));
    child.once('close', (code) => resolve({ code: code ?? -1, output: Buffer.concat(chunks).toString() }));
  });
}

function spawnFailure(command, error) {
  if (error.code !== 'ENOENT') return error.message;
  return `kafka: ${command} is not on PATH; without a Docker engine the broker needs Java 17+ and Maven`;
}

async function run(command, args, options) {
  const { code, output } = await exec(command, args, options);
  if (code !== 0) throw new Error(`kafka: \`${command} ${args.join(' ')}\` failed (exit ${code}):\n${output}`);
}

async function status(port) {
  const pid = runningPid();
  const answers = await kafkaAnswers(HOST, port, 0);
  const owner = pid === undefined ? 'no broker from .cache/kafka is running' : `broker pid ${pid} from .cache/kafka`;
  console.log(`kafka: ${HOST}:${port} ${answers ? 'answers' : 'does not answer'}; ${owner}`);
  return answers ? 0 : 1;
}

// Progress goes to stderr so `BROKERS=$(node scripts/kafka.mjs up)` captures only the address.
async function main(command) {
  const log = (message) => console.error(message);
  switch (command) {
    case 'up':
      console.log((await ensureKafka({ log })).brokers);
      return 0;
    case 'down':
      await stopKafka({ log });
      return 0;
    case 'status':
      return status(Number(process.env.KAFKA_PORT ?? 9092));
    default:
      console.error('usage: node scripts/kafka.mjs up|down|status');
      return 2;
  }
}

if (process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  main(process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
