import { Controller, Get, Global, Header, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, register, Registry } from 'prom-client';
import { MessagingMetrics } from '@attest/messaging';

/**
 * A service's Prometheus metrics: the process defaults in prom-client's default registry, the
 * messaging layer's (dead letters), and the service's own in `registry`, one per instance so two
 * instances in one process (tests) never collide.
 */
@Injectable()
export class ServiceMetrics {
  readonly contentType = register.contentType;
  readonly registry = new Registry();

  constructor(private readonly messaging: MessagingMetrics) {
    if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics();
  }

  async render(): Promise<string> {
    const parts = await Promise.all([register.metrics(), this.messaging.registry.metrics(), this.registry.metrics()]);
    return parts.filter((part) => part.trim() !== '').join('\n');
  }
}

/** Prometheus scrape endpoint; like the health routes it carries no secret and needs no admin token. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Content-Type', register.contentType)
  render(): Promise<string> {
    return this.metrics.render();
  }
}

@Global()
@Module({ controllers: [MetricsController], providers: [ServiceMetrics], exports: [ServiceMetrics] })
export class ServiceMetricsModule {}
