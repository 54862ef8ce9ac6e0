package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** The audit log: every change through the API, written in the transaction of the change. */
public final class AuditLog {
  private static final String INSERT = """
      INSERT INTO audit_log (program_id, actor_key_id, action, entity_type, entity_id, before, after, ip)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""";

  /** Who changed something and from where. */
  public record Actor(long programId, Long keyId, String ip) {
  }

  public Future<Void> record(SqlClient client, Actor actor, String action, String entityType, Object entityId,
      JsonObject before, JsonObject after) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(actor.programId(), actor.keyId(), action, entityType, String.valueOf(entityId), before,
            after, actor.ip()))
        .mapEmpty();
  }
}
