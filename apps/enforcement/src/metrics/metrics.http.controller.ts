import { Controller, Get, Header } from '@nestjs/common';
import { register } from 'prom-client';
import { EnforcementMetrics } from './enforcement.metrics';

/** Prometheus scrape endpoint; like the health routes it carries no secret and needs no admin token. */
@Controller('metrics')
export class MetricsHttpController {
  constructor(private readonly metrics: EnforcementMetrics) {}

  @Get()
  @Header('Content-Type', register.contentType)
  render(): Promise<string> {
    return this.metrics.render();
  }
}
