-- The relay takes a program's waiting events in order: one index walk per program.
CREATE INDEX outbox_program_order ON outbox (program_id, id);
