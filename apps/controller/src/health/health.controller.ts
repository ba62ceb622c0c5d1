import { Controller, Get } from '@nestjs/common';

export interface HealthReport {
  status: 'ok';
  uptimeSeconds: number;
}

@Controller('health')
export class HealthController {
  @Get()
  check(): HealthReport {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }
}
