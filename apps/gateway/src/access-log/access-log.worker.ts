import { Logger } from '@nestjs/common';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { FastRecordProducer } from '@attest/messaging';
import { createGatewayLogger, NestPinoLogger } from '../logging/gateway-logger';
import { PACKED_FIELDS, PackedValue, unpackEntry } from './access-log-entry';
import { AccessLogBatcher } from './access-log.batcher';
import { AccessLogWorkerData, FromAccessLogWorker, ToAccessLogWorker } from './access-log.protocol';

/**
 * The access log's producer thread: turns packed batches from the request thread into
 * `gateway.access-log.v3` messages (columns), and produces them with its own Kafka client, so none of that costs the thread
 * that answers requests. The client is the lean one (`FastRecordProducer`): on a busy gateway this
 * thread shares the cores with the request thread, so every microsecond per record counts.
 */
const STATS_EVERY_MS = 1000;

const data = workerData as AccessLogWorkerData;
const port = parentPort!;
// The shared libraries log through Nest's Logger: route it to the same pino output as the request thread.
Logger.overrideLogger(new NestPinoLogger(createGatewayLogger(data.logLevel).child({ thread: 'access-log' })));
const logger = new Logger('AccessLogWorker');

lowerPriority(data.nice);

const producer = new FastRecordProducer({ clientId: 'gateway-access-log', brokers: data.brokers });
const batcher = new AccessLogBatcher({ producer, gatewayId: data.gatewayId, maxRecords: data.maxRecords, lingerMs: data.lingerMs });

/** The request thread's string table, as its hand-overs bring it. */
const strings: string[] = [];

function addAll(batch: readonly PackedValue[]): void {
  for (let offset = 0; offset < batch.length; offset += PACKED_FIELDS) batcher.add(unpackEntry(batch, offset, strings));
}

/**
 * On Linux a thread has a nice value of its own, and setpriority(PRIO_PROCESS, 0) sets the calling
 * thread's: the request thread keeps its priority, and gets a contended core first. Elsewhere the
 * same call would lower the whole process, so it is not made.
 */
function lowerPriority(nice: number): void {
  if (nice === 0) return;
  if (process.platform !== 'linux') {
    logger.warn(`ACCESS_LOG_WORKER_NICE=${nice} ignored: per-thread priorities need Linux`);
    return;
  }
  try {
    setPriority(0, nice);
  } catch (error) {
    logger.warn(`could not lower the access-log thread's priority to nice ${nice}: ${(error as Error).message}`);
  }
}

function post(message: FromAccessLogWorker): void {
  port.postMessage(message);
}

port.on('message', (message: ToAccessLogWorker) => {
  switch (message.type) {
    case 'entries':
      // The producer connects on its first send; until the broker answers, messages wait in the batcher's bounded buffer.
      for (const value of message.strings) strings.push(value);
      addAll(message.batch);
      if (message.restart) strings.length = 0;
      Atomics.sub(data.pending, 0, message.batch.length / PACKED_FIELDS);
      return;
    case 'flush':
      void batcher.flush().then(() => post({ type: 'done', id: message.id, sent: batcher.sentCount, dropped: batcher.droppedCount }));
      return;
    case 'close':
      void batcher
        .close()
        .then(() => producer.close())
        .catch((error: Error) => logger.warn(`closing the access-log producer failed: ${error.message}`))
        .then(() => {
          clearInterval(stats);
          post({ type: 'done', id: message.id, sent: batcher.sentCount, dropped: batcher.droppedCount });
          port.close();
        });
      return;
  }
});

const stats = setInterval(() => post({ type: 'stats', sent: batcher.sentCount, dropped: batcher.droppedCount }), STATS_EVERY_MS);
