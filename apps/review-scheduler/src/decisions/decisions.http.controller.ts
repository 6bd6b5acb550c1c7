import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { ReviewDecision } from '@attest/contracts';
import { AdminTokenGuard, ZodValidationPipe } from '@attest/platform';
import { DecisionsService } from './decisions.service';
import { DecisionParams, decisionParamsSchema } from './dto/decision-params.dto';
import { RecordDecisionRequest, RecordDecisionResponse, recordDecisionSchema } from './dto/record-decision.dto';

@Controller('v1/decisions')
@UseGuards(AdminTokenGuard)
export class DecisionsHttpController {
  constructor(private readonly decisions: DecisionsService) {}

  /** 202: the decision is recorded; enforcement applies it asynchronously from review.decisions.v1. */
  @Post()
  @HttpCode(202)
  async record(@Body(new ZodValidationPipe(recordDecisionSchema)) body: RecordDecisionRequest): Promise<RecordDecisionResponse> {
    const decision = await this.decisions.record(body);
    return { decisionId: decision.decisionId };
  }

  @Get(':id')
  get(@Param(new ZodValidationPipe(decisionParamsSchema)) params: DecisionParams): Promise<ReviewDecision> {
    return this.decisions.get(params.id);
  }
}
