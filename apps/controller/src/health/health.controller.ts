import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { HealthReport, HealthService } from './health.service';

/** `GET /health`: 200 when everything answers, 503 (same body, status "degraded") when not. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await this.health.check();
    reply.code(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
