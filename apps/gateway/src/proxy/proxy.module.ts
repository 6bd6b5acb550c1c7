import { Module } from '@nestjs/common';
import { UpstreamPools } from './upstream-pools';
import { UpstreamProxy } from './upstream.proxy';

@Module({ providers: [UpstreamPools, UpstreamProxy], exports: [UpstreamPools, UpstreamProxy] })
export class ProxyModule {}
