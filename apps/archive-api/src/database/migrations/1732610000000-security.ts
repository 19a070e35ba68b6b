import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security (issue 5): agencies, API keys, and the hash-chained audit trail (nhật ký kiểm tra).
 *
 * The audit table is append-only in the database itself — triggers refuse UPDATE, DELETE and TRUNCATE —
 * so neither a bug nor an operator with the application's credentials can rewrite history quietly. A
 * superuser can still bypass triggers; the hash chain, the head row and the signed checkpoints are what
 * detect that. `audit_head` holds the last sequence number and hash: appends lock it FOR UPDATE, which
 * serialises the chain across instances and makes deletion of the newest rows detectable.
 */
export class Security1732610000000 implements MigrationInterface {
  name = 'Security1732610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id            text PRIMARY KEY,
        name          text NOT NULL,
        archive_code  text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        created_by    text NOT NULL,
        CONSTRAINT agencies_id_shape CHECK (id ~ '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'),
        CONSTRAINT agencies_name_length CHECK (char_length(name) BETWEEN 1 AND 500)
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id            uuid PRIMARY KEY,
        name          text NOT NULL,
        prefix        text NOT NULL,
        token_hash    text NOT NULL,
        role          text NOT NULL,
        agency_id     text REFERENCES agencies(id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        created_by    text NOT NULL,
        last_used_at  timestamptz,
        revoked_at    timestamptz,
        revoked_by    text,
        CONSTRAINT api_keys_prefix_unique UNIQUE (prefix),
        CONSTRAINT api_keys_role_known CHECK (role IN ('SUBMITTER','ARCHIVIST','APPROVER','AUDITOR','ADMIN')),
        CONSTRAINT api_keys_scoped_roles_have_agency CHECK (role IN ('AUDITOR','ADMIN') OR agency_id IS NOT NULL),
        CONSTRAINT api_keys_hash_shape CHECK (token_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query('CREATE INDEX api_keys_agency_idx ON api_keys (agency_id)');

    await q.query(`
      CREATE TABLE audit_events (
        seq        bigint PRIMARY KEY,
        id         uuid NOT NULL,
        at         timestamptz NOT NULL,
        actor      text NOT NULL,
        role       text,
        action     text NOT NULL,
        target     text,
        ip         text,
        outcome    text NOT NULL,
        details    jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash  text NOT NULL,
        hash       text NOT NULL,
        CONSTRAINT audit_events_id_unique UNIQUE (id),
        CONSTRAINT audit_events_outcome_known CHECK (outcome IN ('SUCCESS','DENIED','FAILURE'))
      )`);
    await q.query('CREATE INDEX audit_events_at_idx ON audit_events (at)');
    await q.query('CREATE INDEX audit_events_actor_idx ON audit_events (actor, seq)');
    await q.query('CREATE INDEX audit_events_action_idx ON audit_events (action, seq)');
    await q.query('CREATE INDEX audit_events_target_idx ON audit_events (target, seq)');

    await q.query(`
      CREATE TABLE audit_head (
        id    smallint PRIMARY KEY CHECK (id = 1),
        seq   bigint NOT NULL,
        hash  text NOT NULL
      )`);
    await q.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))`);

    await q.query(`
      CREATE TABLE audit_checkpoints (
        id               bigserial PRIMARY KEY,
        seq              bigint NOT NULL,
        head_hash        text NOT NULL,
        at               timestamptz NOT NULL,
        algorithm        text NOT NULL,
        key_fingerprint  text NOT NULL,
        public_key       text NOT NULL,
        signature        text NOT NULL
      )`);

    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await q.query(`CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }
    // The head may only move forward by one, and never disappear.
    await q.query(`
      CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq <> OLD.seq + 1 THEN
          RAISE EXCEPTION 'audit head may only advance by one (from % to %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query('CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()');
    await q.query('CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()');
    await q.query('CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS audit_checkpoints');
    await q.query('DROP TABLE IF EXISTS audit_head');
    await q.query('DROP TABLE IF EXISTS audit_events');
    await q.query('DROP FUNCTION IF EXISTS audit_head_forward_only()');
    await q.query('DROP FUNCTION IF EXISTS audit_refuse_change()');
    await q.query('DROP TABLE IF EXISTS api_keys');
    await q.query('DROP TABLE IF EXISTS agencies');
  }
}
