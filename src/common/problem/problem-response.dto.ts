import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'phone' })
  field!: string;

  @ApiProperty({ example: 'must be a valid E.164 phone number' })
  message!: string;
}

/** RFC 9457 problem details, served as application/problem+json. */
export class ProblemResponseDto {
  @ApiProperty({ example: '/problems/contact-not-found' })
  type!: string;

  @ApiProperty({ example: 'Not Found' })
  title!: string;

  @ApiProperty({ example: 404 })
  status!: number;

  @ApiProperty({ example: 'Contact con_01HV8Y5R5RFMS0TFK6PKF9H2S8 was not found.' })
  detail!: string;

  @ApiProperty({ example: '/v1/contacts/con_01HV8Y5R5RFMS0TFK6PKF9H2S8' })
  instance!: string;

  @ApiProperty({ example: 'CONTACT_NOT_FOUND', description: 'Stable machine-readable code' })
  code!: string;

  @ApiProperty({ example: '4bf92f3577b34da6a3ce929d0e0e4736' })
  traceId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on 422 validation failures' })
  errors?: FieldErrorDto[];
}
