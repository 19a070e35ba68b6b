import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A submitting agency (cơ quan, tổ chức nộp lưu), keyed by its mã định danh. */
@Entity({ name: 'agencies' })
export class AgencyEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'archive_code', type: 'text', nullable: true })
  archiveCode!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;
}
