package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * The audit log: every change through the API or the command line, written in the transaction of
 * the change (so a change that fails leaves no entry), and read back newest first.
 */
public final class AuditLog {
  // An API key's label is copied at write time: the entry keeps saying who it was even if keys change.
  private static final String INSERT = """
      INSERT INTO audit_log (program_id, actor_key_id, actor_label, action, entity_type, entity_id, before, after, ip)
      VALUES ($1, $2, coalesce($3, (SELECT label FROM api_keys WHERE program_id = $1 AND id = $2)), $4, $5, $6, $7,
              $8, $9)""";
  private static final String SELECT = """
      SELECT l.id, l.actor_key_id, l.actor_label, l.action, l.entity_type, l.entity_id, l.before, l.after, l.ip,
             l.created_at""";
  private static final String FROM = "FROM audit_log l";
  private static final String ORDER = "ORDER BY l.created_at DESC, l.id DESC";
  /** Rows fetched per round trip while exporting. */
  private static final int FETCH = 200;

  /** Who changed something and from where: an API key (its label is looked up), or a command-line tool. */
  public record Actor(long programId, Long keyId, String label, String ip) {
    public static Actor apiKey(long programId, long keyId, String ip) {
      return new Actor(programId, keyId, null, ip);
    }

    public static Actor commandLine(long programId, String command) {
      return new Actor(programId, null, "command line: " + command, null);
    }
  }

  private final Pool pool;

  public AuditLog(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> record(SqlClient client, Actor actor, String action, String entityType, Object entityId,
      JsonObject before, JsonObject after) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {actor.programId(), actor.keyId(), actor.label(), action, entityType,
            String.valueOf(entityId), before, after, actor.ip()}))
        .mapEmpty();
  }

  /** One page of the entries the filter (which starts with the program) selects, newest first. */
  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, FROM, filter, ORDER, offset, limit, AuditLog::toJson);
  }

  /**
   * Writes every entry the filter selects to {@code out}, newest first, read through a cursor so
   * memory stays flat however many there are; {@code header} is written once the query runs.
   */
  public Future<Void> export(Filter filter, WriteStream<Buffer> out, Buffer header, Function<JsonObject, Buffer> line) {
    String sql = SELECT + " " + FROM + filter.where() + " " + ORDER;
    return pool.withTransaction(tx -> tx.prepare(sql).compose(statement -> {
      Promise<Void> done = Promise.promise();
      RowStream<Row> rows = statement.createStream(FETCH, Tuple.from(filter.args()));
      rows.exceptionHandler(done::tryFail);
      rows.endHandler(v -> done.tryComplete());
      // A client that goes away, even while reading is paused, ends the read and the transaction.
      out.exceptionHandler(e -> {
        rows.close();
        done.tryFail(e);
      });
      out.write(header);
      rows.handler(row -> {
        out.write(line.apply(toJson(row)));
        if (out.writeQueueFull()) {
          rows.pause();
          out.drainHandler(v -> rows.resume());
        }
      });
      return done.future();
    }));
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("key_id", Rows.id(r, "actor_key_id"))
        .put("key_label", r.getString("actor_label"))
        .put("action", r.getString("action"))
        .put("entity", r.getString("entity_type"))
        .put("entity_id", r.getString("entity_id"))
        .put("before", r.getValue("before"))
        .put("after", r.getValue("after"))
        .put("ip", r.getString("ip"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
