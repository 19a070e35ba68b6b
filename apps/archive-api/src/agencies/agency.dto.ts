import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * Mã định danh điện tử của cơ quan, tổ chức (Quyết định 20/2020/QĐ-TTg): `000.00.12.H05` — three
 * groups of digits and a level-1 code (letter + two digits). Same shape as libs/metadata's
 * AGENCY_ID_PATTERN and the CHECK constraint of the agencies table.
 */
export const AGENCY_ID_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

/**
 * No control characters (NUL breaks PostgreSQL text; others break logs and CSV exports) and no lone
 * UTF-16 surrogates (they would be stored as U+FFFD, not as sent).
 */
export const PRINTABLE = /^(?:[^\u0000-\u001f\u007f\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().normalize('NFC') : value);

export class CreateAgencyDto {
  @ApiProperty({ example: '000.00.12.H05', description: 'Mã định danh điện tử của cơ quan' })
  @IsString()
  @Matches(AGENCY_ID_PATTERN, { message: 'id must be an agency identifier such as 000.00.12.H05' })
  id!: string;

  @ApiProperty({ example: 'Sở Nội vụ tỉnh Bình Định', maxLength: 500 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @Matches(PRINTABLE, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({ example: 'LTLS-BĐ', description: 'Mã lưu trữ / phông lưu trữ', maxLength: 50 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @Matches(PRINTABLE, { message: 'archiveCode must not contain control characters' })
  archiveCode?: string;
}

export class AgencyDto {
  @ApiProperty({ example: '000.00.12.H05' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) archiveCode!: string | null;
  @ApiProperty() createdAt!: string;
}

export class AgencyListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [AgencyDto] }) items!: AgencyDto[];
}
