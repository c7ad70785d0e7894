import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { BadRequestProblem, FieldError } from '../common/problem/problem.exception';
import { ChangeFeedService } from './change-feed.service';
import { ChangeFeedDto } from './dto/change-feed.dto';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const KNOWN = new Set(['after', 'pageSize']);

function parseQuery(raw: Record<string, unknown>): { after?: string; pageSize: number } {
  const errors: FieldError[] = [];
  for (const name of Object.keys(raw)) {
    if (!KNOWN.has(name)) errors.push({ field: name, message: 'is not a known query parameter' });
  }
  for (const name of KNOWN) {
    if (raw[name] !== undefined && typeof raw[name] !== 'string') {
      errors.push({ field: name, message: 'must be given once, as a plain value' });
    }
  }
  const pageSizeRaw = typeof raw.pageSize === 'string' ? raw.pageSize : undefined;
  let pageSize = DEFAULT_PAGE_SIZE;
  if (pageSizeRaw !== undefined) {
    if (!/^\d+$/.test(pageSizeRaw)) {
      errors.push({ field: 'pageSize', message: 'must be a non-negative integer' });
    } else pageSize = Math.min(Number(pageSizeRaw), MAX_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
  }
  if (errors.length > 0) {
    throw new BadRequestProblem(
      'INVALID_QUERY_PARAMETER',
      errors.map((e) => `${e.field} ${e.message}`).join('; '),
      errors,
    );
  }
  const after = typeof raw.after === 'string' && raw.after !== '' ? raw.after : undefined;
  return { after, pageSize };
}

@ApiTags('Contacts')
@Controller('v1/contacts/changes')
export class ChangeFeedController {
  constructor(private readonly feed: ChangeFeedService) {}

  @Get()
  @Authenticated({ scope: Scope.ContactList })
  @ApiOperation({
    summary: 'Get contact changes',
    description:
      'The change feed: every committed change to a contact (created, updated, archived, unarchived, deleted), in commit order. Pass `nextCursor` back as `after` to get each event exactly once.',
  })
  @ApiQuery({
    name: 'after',
    required: false,
    description:
      "The previous response's `nextCursor`; without it, from the oldest retained event.",
  })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    type: Number,
    description: `Default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE} (larger values are clamped).`,
  })
  @ApiProblem(400, 'Invalid cursor or query parameter')
  @ApiProblem(410, 'The cursor is older than the retention window (CURSOR_EXPIRED)')
  @ApiOkResponse({ type: ChangeFeedDto, description: 'A page of events' })
  async changes(
    @Principal() caller: Caller,
    @Query() query: Record<string, unknown>,
  ): Promise<ChangeFeedDto> {
    const { after, pageSize } = parseQuery(query);
    return this.feed.page(caller.tenantId, after, pageSize);
  }
}
