import { Module, OnApplicationShutdown } from '@nestjs/common';
import { shutdownTracing } from './job-tracing';

class TracingShutdown implements OnApplicationShutdown {
  /** The last spans leave before the process does (a no-op without tracing). */
  async onApplicationShutdown(): Promise<void> {
    await shutdownTracing();
  }
}

@Module({ providers: [TracingShutdown] })
export class TracingModule {}
