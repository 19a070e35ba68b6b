import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PRINTABLE } from '../agencies/agency.dto';

const printable = Matches(PRINTABLE, { message: 'must not contain control characters' });

export const AUDIT_EXPORT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Events at or after this instant (ISO 8601).', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Events before this instant (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ example: 'api-key:6f1c…' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  @printable
  actor?: string;

  @ApiPropertyOptional({ example: 'agency.create' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @printable
  action?: string;

  @ApiPropertyOptional({ example: 'agency:000.00.12.H05' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @printable
  target?: string;

  @ApiPropertyOptional({ enum: ['SUCCESS', 'DENIED', 'FAILURE'] })
  @IsOptional()
  @IsIn(['SUCCESS', 'DENIED', 'FAILURE'])
  outcome?: 'SUCCESS' | 'DENIED' | 'FAILURE';

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;

  @ApiPropertyOptional({ enum: AUDIT_EXPORT_FORMATS, default: 'json', description: 'ndjson and csv export every matching event (no paging).' })
  @IsOptional()
  @IsIn(AUDIT_EXPORT_FORMATS)
  format?: AuditExportFormat;
}

export class AuditEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Position in the chain (1, 2, …).' }) seq!: number;
  @ApiProperty() at!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty() action!: string;
  @ApiProperty({ nullable: true, type: String }) target!: string | null;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ enum: ['SUCCESS', 'DENIED', 'FAILURE'] }) outcome!: string;
  @ApiProperty({ type: Object }) details!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class AuditPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
}

export class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty() count!: number;
  @ApiProperty() headHash!: string;
  @ApiPropertyOptional() firstBrokenId?: string;
  @ApiPropertyOptional() firstBrokenSeq?: number;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ type: Object }) checkpoints!: { count: number; verified: number };
}

export class AuditCheckpointDto {
  @ApiProperty({ description: 'Sequence number of the signed head.' }) seq!: number;
  @ApiProperty() headHash!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ enum: ['RS256', 'ES256'] }) algorithm!: string;
  @ApiProperty({ description: 'SHA-256 of the signing key (DER SubjectPublicKeyInfo), hex.' }) keyFingerprint!: string;
  @ApiProperty({ description: 'PEM public key; the signature covers `archive-audit-checkpoint:v1:<seq>:<headHash>`.' }) publicKey!: string;
  @ApiProperty({ description: 'Base64 signature.' }) signature!: string;
}
