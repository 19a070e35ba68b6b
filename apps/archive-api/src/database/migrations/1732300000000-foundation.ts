import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation: the extensions search needs, and an IMMUTABLE unaccent wrapper so it can be used in
 * index expressions (unaccent() itself is only STABLE because its dictionary could change).
 * `đ/Đ` is not a combining mark, so it is folded explicitly.
 */
export class Foundation1732300000000 implements MigrationInterface {
  name = 'Foundation1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS unaccent');
    await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await q.query(`
      CREATE OR REPLACE FUNCTION vn_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT translate(public.unaccent('public.unaccent'::regdictionary, $1), 'đĐ', 'dD') $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS vn_unaccent(text)');
    // Extensions are left in place: other objects may use them.
  }
}
