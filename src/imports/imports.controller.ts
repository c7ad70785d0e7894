import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { ProblemException } from '../common/problem/problem.exception';
import { SearchBudget } from '../rate-limit/search-budget';
import { ImportAcceptedDto, ImportStatusDto } from './dto/import.dto';
import { mapImportStatus } from './import.mapper';
import { ImportsService } from './imports.service';

@ApiTags('Contacts')
@Controller('v1/contacts')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('import')
  @HttpCode(202)
  @Authenticated({ scope: Scope.ContactCreate })
  @SearchBudget()
  @ApiOperation({
    summary: 'Import contacts from CSV',
    description:
      'Uploads a CSV file and starts a background contact import. Poll the returned import ID to review completion counts and row-level errors. UTF-8, header row required, `,` or `;` delimited. Columns: name, phone, email, tags (separated by `;` or `|`) and contact custom fields by key, id or name; others are ignored. Rows match existing contacts by phone, then email.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: 'The CSV file' } },
    },
  })
  @ApiAcceptedResponse({ type: ImportAcceptedDto, description: 'Import initiated' })
  @ApiProblem(400, 'No file part, empty or non-CSV file, or unusable header')
  @ApiProblem(413, 'File larger than the import limit')
  @ApiProblem(415, 'Not a multipart/form-data request')
  async upload(@Principal() caller: Caller, @Req() request: Request): Promise<ImportAcceptedDto> {
    if (!request.is('multipart/form-data')) {
      throw new ProblemException({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        title: 'Unsupported Media Type',
        detail: 'Send the CSV as multipart/form-data with a "file" part.',
      });
    }
    const importId = await this.imports.upload(caller.tenantId, caller.userId, request);
    return { importId };
  }

  @Get('imports/:id')
  @Authenticated({ scope: Scope.ContactList })
  @ApiOperation({
    summary: 'Get import status',
    description: 'Returns progress and row-level failures for a contact import.',
  })
  @ApiOkResponse({ type: ImportStatusDto, description: 'Import status' })
  @ApiProblem(404, 'Import not found')
  async status(@Principal() caller: Caller, @Param('id') id: string): Promise<ImportStatusDto> {
    const { entity, errors } = await this.imports.status(caller.tenantId, id);
    return mapImportStatus(entity, errors);
  }
}
