import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AGENCY_ID_PATTERN, PRINTABLE } from '../agencies/agency.dto';

export class ListFilesQueryDto {
  @ApiPropertyOptional({ example: '000.00.12.H05.2024.01.TCCB' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'fileCode must not contain control characters' })
  fileCode?: string;

  @ApiPropertyOptional({ example: '000.00.12.H05' })
  @IsOptional()
  @Matches(AGENCY_ID_PATTERN, { message: 'agencyId must be an agency identifier such as 000.00.12.H05' })
  agencyId?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  page?: number;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize?: number;
}

export class DocumentSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() docCode!: string;
  @ApiProperty() docOrdinal!: number;
  @ApiProperty() typeName!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) codeNumber!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) codeNotation!: string | null;
  @ApiProperty() issuedDate!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) organName!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty() mode!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() size!: number;
  @ApiProperty({ enum: ['VALID', 'INVALID', 'INDETERMINATE', 'UNSIGNED'] }) signatureSummary!: string;
}

export class DocumentDto extends DocumentSummaryDto {
  @ApiProperty() fileId!: string;
  @ApiProperty() agencyId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) docId!: string | null;
  @ApiProperty() language!: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) numberOfPage!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) signerPosition!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) signerFullName!: string | null;
  @ApiProperty() mimeType!: string;
  @ApiProperty() originalPath!: string;
  @ApiProperty({ type: [String] }) signatureFlags!: string[];
  @ApiProperty() signatureCount!: number;
  @ApiProperty() validatedAt!: string;
  @ApiProperty({ description: 'All metadata as received (TT 05/2025 element names).' }) metadata!: Record<string, unknown>;
}

export class CaseFileDto {
  @ApiProperty() id!: string;
  @ApiProperty() agencyId!: string;
  @ApiProperty() fileCode!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) arcFileCode!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty() maintenance!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null = permanent (vĩnh viễn)' }) retentionYears!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null = permanent (vĩnh viễn)' }) retentionUntil!: string | null;
  @ApiProperty({ enum: ['ARCHIVED', 'UNDER_REVIEW', 'ON_HOLD', 'DESTROYED'] }) status!: string;
  @ApiProperty() mode!: string;
  @ApiProperty() language!: string;
  @ApiProperty() startDate!: string;
  @ApiProperty() endDate!: string;
  @ApiProperty() totalDoc!: number;
  @ApiProperty() numberOfPage!: number;
  @ApiProperty() transferId!: string;
  @ApiProperty() archivedAt!: string;
  @ApiProperty({ description: 'All metadata as received (TT 05/2025 element names).' }) metadata!: Record<string, unknown>;
  @ApiPropertyOptional({ type: [DocumentSummaryDto] }) documents?: DocumentSummaryDto[];
}

export class CaseFileListDto {
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ type: [CaseFileDto] }) items!: CaseFileDto[];
}
