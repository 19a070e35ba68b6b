import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AGENCY_ID_PATTERN, PRINTABLE } from '../agencies/agency.dto';
import { Role, ROLES } from '../auth/permissions';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'E-office Sở Nội vụ Bình Định', maxLength: 200 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'SUBMITTER' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ example: '000.00.12.H05', description: 'Required for SUBMITTER, ARCHIVIST and APPROVER; absent for archive-wide roles.' })
  @IsOptional()
  @IsString()
  @Matches(AGENCY_ID_PATTERN, { message: 'agencyId must be an agency identifier such as 000.00.12.H05' })
  agencyId?: string;
}

export class ApiKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Public part of the token, to recognise it in logs and lists.' }) prefix!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String }) agencyId!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The bearer token. Shown once: only its hash is stored.' }) token!: string;
}

export class ApiKeyListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}
