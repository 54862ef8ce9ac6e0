package io.tracklane.testing;

/**
 * Makes the database refuse one program's audit entries while open, so a test can show that a
 * change whose entry cannot be written does not happen (the two share one transaction).
 */
public final class AuditRefusal implements AutoCloseable {
  private final TestEngine engine;

  private AuditRefusal(TestEngine engine) {
    this.engine = engine;
  }

  public static AuditRefusal of(TestEngine engine, long programId) {
    run(engine, "CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + "IF NEW.program_id = " + programId + " THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$");
    run(engine, "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()");
    return new AuditRefusal(engine);
  }

  @Override
  public void close() {
    run(engine, "DROP TRIGGER refuse_audit ON audit_log");
  }

  private static void run(TestEngine engine, String statement) {
    TestEngine.await(engine.engine().pool().query(statement).execute());
  }
}
