import { Counter, Registry } from 'prom-client';

/**
 * The messaging layer's own Prometheus metrics, in a registry per service instance (tests run several
 * instances in one process); the service's `/metrics` renders it beside its own.
 */
export class MessagingMetrics {
  readonly registry = new Registry();
  private readonly deadLettered = new Counter({
    name: 'attest_messages_dead_lettered_total',
    help: 'Messages parked on <topic>.dlq because they could not be applied, by source topic and consumer group',
    labelNames: ['topic', 'consumer'],
    registers: [this.registry],
  });

  countDeadLetter(letter: { topic: string; consumer: string }): void {
    this.deadLettered.inc({ topic: letter.topic, consumer: letter.consumer });
  }
}
