import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ContactSearchModule } from '../contacts/search/contact-search.module';
import { CustomFieldsModule } from '../custom-fields/custom-fields.module';
import { TagCountsModule } from '../tags/counts/tag-counts.module';
import { AbandonedUploadSweeper } from './abandoned-upload.sweeper';
import { ContactBatchRepository } from './contact-batch.repository';
import { ImportFailureRecorder } from './import-failure.recorder';
import { ImportRunner } from './import-runner';
import { ImportEntity } from './import.entity';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';
import { BullImportQueue } from './queue/bull-import.queue';
import { ImportDispatcher } from './queue/import-dispatcher';
import { IMPORT_QUEUE, ImportQueue } from './queue/import-queue';
import { ImportProcessor } from './queue/import.processor';
import { InProcessImportQueue } from './queue/in-process-import.queue';

/**
 * CSV imports. With REDIS_URL jobs go through Bull (and any worker process may run them);
 * without it an in-process queue runs the same ImportRunner.
 */
@Module({})
export class ImportsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const common: Provider[] = [
      ImportsRepository,
      ContactBatchRepository,
      ImportRunner,
      ImportFailureRecorder,
      ImportsService,
      AbandonedUploadSweeper,
      ImportDispatcher,
    ];
    const imports = [
      TypeOrmModule.forFeature([ImportEntity]),
      CustomFieldsModule,
      ContactSearchModule,
      TagCountsModule,
    ];
    if (!config.redisUrl) {
      return {
        module: ImportsModule,
        imports,
        controllers: config.runsApi ? [ImportsController] : [],
        providers: [
          ...common,
          InProcessImportQueue,
          { provide: ImportQueue, useExisting: InProcessImportQueue },
        ],
      };
    }
    return {
      module: ImportsModule,
      imports: [
        ...imports,
        BullModule.forRoot({
          url: config.redisUrl,
          prefix: config.queuePrefix,
          // A killed worker's job is taken over within seconds, not the default 30 s.
          settings: { lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 10 },
        }),
        BullModule.registerQueue({ name: IMPORT_QUEUE }),
      ],
      controllers: config.runsApi ? [ImportsController] : [],
      providers: [
        ...common,
        { provide: ImportQueue, useClass: BullImportQueue },
        ...(config.runsWorker ? [ImportProcessor] : []),
      ],
    };
  }
}
