import { TagDto } from './dto/tag.dto';
import { TagEntity } from './tag.entity';

export function mapTag(tag: TagEntity, labeledCount: number): TagDto {
  return {
    id: tag.id,
    name: tag.name,
    createdAt: tag.createdAt.toISOString(),
    createdBy: tag.createdBy,
    labeledCount,
  };
}
