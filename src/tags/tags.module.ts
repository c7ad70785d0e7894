import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TagEntity } from './tag.entity';
import { TagsController } from './tags.controller';
import { TagsRepository } from './tags.repository';
import { TagsService } from './tags.service';
import { TagCountsModule } from './counts/tag-counts.module';

@Module({
  imports: [TypeOrmModule.forFeature([TagEntity]), TagCountsModule],
  controllers: [TagsController],
  providers: [TagsRepository, TagsService],
  exports: [TagsRepository, TagsService, TagCountsModule],
})
export class TagsModule {}
