import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ImportQueue } from '../imports/queue/import-queue';
import { httpMetricsMiddleware } from './http-metrics.middleware';
import { ImportMetrics, NoImportMetrics, PrometheusImportMetrics } from './import-metrics';
import { MetricsController } from './metrics.controller';
import { registerResourceGauges } from './resource-gauges';

/**
 * Prometheus metrics (METRICS_ENABLED, default on). Features see only ImportMetrics; when
 * disabled it counts nothing, no middleware runs and /metrics does not exist (404).
 */
@Global()
@Module({})
export class MetricsModule implements NestModule {
  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    if (!config.metricsEnabled) {
      return {
        module: MetricsModule,
        providers: [{ provide: ImportMetrics, useClass: NoImportMetrics }],
        exports: [ImportMetrics],
      };
    }
    return {
      module: MetricsModule,
      controllers: config.runsApi ? [MetricsController] : [],
      providers: [
        {
          provide: Registry,
          inject: [ModuleRef],
          useFactory: (moduleRef: ModuleRef) => {
            const registry = new Registry();
            collectDefaultMetrics({ register: registry });
            // Looked up at scrape time: neither module has to know this one.
            const find =
              <T>(token: abstract new (...args: never[]) => T) =>
              () => {
                try {
                  return moduleRef.get(token, { strict: false });
                } catch {
                  return undefined;
                }
              };
            registerResourceGauges(registry, {
              dataSource: find(DataSource),
              queue: find(ImportQueue),
            });
            return registry;
          },
        },
        {
          provide: ImportMetrics,
          inject: [Registry],
          useFactory: (r: Registry) => new PrometheusImportMetrics(r),
        },
      ],
      exports: [ImportMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.metricsEnabled) return;
    consumer.apply(httpMetricsMiddleware(this.moduleRef.get(Registry))).forRoutes('{*path}');
  }
}
