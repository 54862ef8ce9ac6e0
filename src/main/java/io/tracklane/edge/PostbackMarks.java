package io.tracklane.edge;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;

/**
 * The edge's "this postback was accepted" marks in Redis. The ledger forgets the marks of the
 * postbacks it rejects, so the advertiser's resend after fixing the cause (a missing exchange rate,
 * a refund sent before its sale) reaches the ledger again instead of being answered "duplicate".
 */
public final class PostbackMarks {
  private final Redis redis;
  private final String prefix;

  public PostbackMarks(Redis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** The mark of a postback's event id, under the key prefix {@link RedisMarks} adds. */
  static String key(String eventId) {
    return "pb:" + eventId;
  }

  /** Deletes the marks; best effort (without it a resend is "duplicate" until the mark expires). */
  public Future<Void> forget(List<String> eventIds) {
    if (eventIds.isEmpty()) {
      return Future.succeededFuture();
    }
    Request del = Request.cmd(Command.DEL);
    eventIds.forEach(id -> del.arg(prefix + key(id)));
    return redis.send(del).mapEmpty();
  }
}
