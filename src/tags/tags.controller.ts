import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { CreateTagDto, TagDto, TagListDto } from './dto/tag.dto';
import { mapTag } from './tag.mapper';
import { TagsService } from './tags.service';

@ApiTags('Tags')
@Controller('v1/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @Authenticated({ scope: Scope.TagList })
  @ApiOperation({
    summary: 'List tags',
    description: 'Returns the labels available for organizing contacts, ordered by name.',
  })
  @ApiOkResponse({ type: TagListDto, description: 'List of tags' })
  async list(@Principal() caller: Caller): Promise<TagListDto> {
    const tags = await this.tags.list(caller.tenantId);
    return { tags: tags.map(({ tag, labeledCount }) => mapTag(tag, labeledCount)) };
  }

  @Post()
  @Authenticated({ scope: Scope.TagCreate })
  @ApiOperation({
    summary: 'Create tag',
    description: 'Creates a label that can be attached to contacts.',
  })
  @ApiProblem(409, 'A tag with this name exists (case-insensitively)')
  @ApiProblem(422, 'Invalid name')
  @ApiCreatedResponse({ type: TagDto, description: 'Tag created' })
  async create(@Principal() caller: Caller, @Body() body: CreateTagDto): Promise<TagDto> {
    const tag = await this.tags.create(caller.tenantId, caller.userId, body.name);
    return mapTag(tag, 0);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ scope: Scope.TagDelete })
  @ApiOperation({
    summary: 'Delete tag',
    description: 'Deletes a tag and detaches it from every contact.',
  })
  @ApiProblem(404, 'Tag not found')
  @ApiNoContentResponse({ description: 'Tag deleted' })
  async delete(@Principal() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.tags.delete(caller.tenantId, id);
  }
}
