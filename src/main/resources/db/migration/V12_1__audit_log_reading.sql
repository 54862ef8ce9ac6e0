-- The audit log becomes readable (issue 7): who made each change is kept by key id and by the
-- key's label at the time (a command-line change has no key, only a label), and the filters of
-- GET /audit_log have indexes. Lists read newest first.
ALTER TABLE audit_log ADD COLUMN actor_label text;
UPDATE audit_log l SET actor_label = k.label FROM api_keys k WHERE k.id = l.actor_key_id;
CREATE INDEX audit_log_entity ON audit_log (program_id, entity_type, entity_id, created_at);
CREATE INDEX audit_log_key ON audit_log (program_id, actor_key_id, created_at);
