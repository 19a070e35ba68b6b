import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ResultMessageDto {
  @ApiProperty({ example: 'checksum_mismatch' }) code!: string;
  @ApiProperty({ description: 'Vietnamese / English' }) message!: string;
  @ApiPropertyOptional({ example: 'files[0].documents[1].sha256' }) path?: string;
}

export class TransferAcceptedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['RECEIVED', 'PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'FAILED'] }) status!: string;
}

export class TransferFileDto {
  @ApiProperty() fileCode!: string;
  @ApiProperty({ enum: ['ACCEPTED', 'REJECTED'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) fileId!: string | null;
  @ApiProperty({ type: [ResultMessageDto] }) errors!: ResultMessageDto[];
  @ApiProperty({ type: [ResultMessageDto] }) warnings!: ResultMessageDto[];
}

export class TransferDocumentDto {
  @ApiProperty() path!: string;
  @ApiProperty({ nullable: true, type: String }) docCode!: string | null;
  @ApiProperty() fileCode!: string;
  @ApiProperty({ enum: ['ACCEPTED', 'REJECTED'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) documentId!: string | null;
  @ApiProperty({ nullable: true, enum: ['VALID', 'INVALID', 'INDETERMINATE', 'UNSIGNED'] }) signatureSummary!: string | null;
  @ApiProperty({ type: [String], description: 'Policy flags, e.g. UNTRUSTED_CHAIN, MISSING_AGENCY_SIGNATURE' }) signatureFlags!: string[];
  @ApiProperty({ nullable: true, type: String }) sha256!: string | null;
  @ApiProperty({ nullable: true, type: Number }) size!: number | null;
  @ApiProperty({ type: [ResultMessageDto] }) errors!: ResultMessageDto[];
  @ApiProperty({ type: [ResultMessageDto] }) warnings!: ResultMessageDto[];
}

export class TransferDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['RECEIVED', 'PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'FAILED'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) agencyId!: string | null;
  @ApiProperty({ enum: ['MULTIPART', 'ZIP_MANIFEST', 'EARK_SIP'] }) kind!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ type: [ResultMessageDto], description: 'Problems of the transfer as a whole' }) errors!: ResultMessageDto[];
  @ApiProperty({ type: [TransferFileDto] }) files!: TransferFileDto[];
  @ApiProperty({ type: [TransferDocumentDto] }) documents!: TransferDocumentDto[];
  @ApiProperty({ description: 'Whether GET /transfers/:id/receipt is available' }) receiptAvailable!: boolean;
}
