import { CustomFieldEntity } from './custom-field.entity';
import { CustomFieldDto } from './dto/custom-field.dto';

export function mapCustomField(field: CustomFieldEntity): CustomFieldDto {
  return {
    id: field.id,
    key: field.key,
    name: field.name,
    type: field.type,
    createdAt: field.createdAt.toISOString(),
    createdBy: field.createdBy,
    predefined: field.predefined,
    entityType: field.entityType,
  };
}
