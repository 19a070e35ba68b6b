import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const SEARCH_SORTS = ['relevance', 'issuedDate:desc', 'issuedDate:asc'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** Deepest result reachable by paging (page × pageSize): deep pages of a broad query are a scan, not a search. */
export const MAX_RESULT_WINDOW = 10_000;
export const MAX_QUERY_LENGTH = 200;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().normalize('NFC') : value);

export class SearchQueryDto {
  @ApiPropertyOptional({ example: 'quyet dinh bo nhiem', maxLength: MAX_QUERY_LENGTH, description: 'Words (with or without diacritics), "quoted phrases", prefix*, or a number/notation such as 15/QĐ-SNV' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_QUERY_LENGTH)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'q must not contain control characters' })
  q?: string;

  @ApiPropertyOptional({ example: '000.00.12.H05' })
  @IsOptional()
  @Matches(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/, { message: 'agencyId must be an agency identifier such as 000.00.12.H05' })
  agencyId?: string;

  @ApiPropertyOptional({ example: '02', description: 'Tên loại văn bản (code list)' })
  @IsOptional()
  @Matches(/^\d{2}$/, { message: 'typeName must be a two-digit code such as 02' })
  typeName?: string;

  @ApiPropertyOptional({ example: '2024-01-01' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'issuedFrom must be a date YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'issuedFrom must be a date YYYY-MM-DD' })
  issuedFrom?: string;

  @ApiPropertyOptional({ example: '2024-12-31' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'issuedTo must be a date YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'issuedTo must be a date YYYY-MM-DD' })
  issuedTo?: string;

  @ApiPropertyOptional({ enum: ['01', '02', '03'], description: 'Chế độ sử dụng (effective: the stricter of document and case file)' })
  @IsOptional()
  @IsIn(['01', '02', '03'])
  mode?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only documents of this case file' })
  @IsOptional()
  @IsUUID()
  fileId?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_RESULT_WINDOW)
  page?: number;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;

  @ApiPropertyOptional({ enum: SEARCH_SORTS, description: 'Default: relevance with q, issuedDate:desc without' })
  @IsOptional()
  @IsIn(SEARCH_SORTS)
  sort?: SearchSort;
}

export class SearchHighlightsDto {
  @ApiPropertyOptional({ description: 'HTML: the subject with the matched words in <mark>, everything else escaped' }) subject?: string;
  @ApiPropertyOptional({ description: 'HTML snippet of the body text (callers with content.read only)' }) body?: string;
}

export class SearchItemDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty({ format: 'uuid' }) fileId!: string;
  @ApiProperty() agencyId!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ nullable: true, type: String }) codeNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) codeNotation!: string | null;
  @ApiProperty({ example: '2024-03-01' }) issuedDate!: string;
  @ApiProperty({ nullable: true, type: String }) organName!: string | null;
  @ApiProperty({ example: '02' }) typeName!: string;
  @ApiProperty({ description: 'Relevance (field-weighted, exact-accent boosted); 0 when sorted by date without q' }) score!: number;
  @ApiPropertyOptional({ type: SearchHighlightsDto }) highlights?: SearchHighlightsDto;
  @ApiPropertyOptional({ description: 'Staff only: effective access mode' }) mode?: string;
  @ApiPropertyOptional({ description: 'Staff only: a destroyed record — only its tombstone (description) remains' }) destroyed?: boolean;
}

export class SearchResultDto {
  @ApiProperty({ description: 'Matches visible to the caller (an estimate when totalIsEstimate)' }) total!: number;
  @ApiProperty({ description: 'True when the hit set was larger than the ranking window: total is the planner estimate, facets and ranking cover a sample of `sampled` matches' })
  totalIsEstimate!: boolean;
  @ApiPropertyOptional() sampled?: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ enum: SEARCH_SORTS }) sort!: SearchSort;
  @ApiProperty({ description: 'True when nothing matched exactly and near misses (trigram similarity of the subject) are shown' }) fuzzy!: boolean;
  @ApiProperty({ type: [SearchItemDto] }) items!: SearchItemDto[];
  @ApiProperty({
    description: 'Counts per value over the filtered, visible matches: typeName, year, organName, mode',
    example: { typeName: { '02': 12 }, year: { '2024': 5 }, organName: { 'Sở Nội vụ tỉnh Bình Định': 3 }, mode: { '01': 12 } },
  })
  facets!: Record<'typeName' | 'year' | 'organName' | 'mode', Record<string, number>>;
}
