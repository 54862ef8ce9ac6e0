package io.tracklane.api;

import io.tracklane.store.AuditLog;
import io.tracklane.store.Filter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** /api/v1/audit_log: every change, who made it, before and after; as JSON pages or as one CSV file. */
public final class AuditLogHandler {
  static final List<String> CSV_COLUMNS = List.of("id", "created_at", "key_id", "key_label", "ip", "action", "entity",
      "entity_id", "before", "after");

  private final AuditLog audit;

  public AuditLogHandler(AuditLog audit) {
    this.audit = audit;
  }

  public void register(Operations ops) {
    ops.on("listAuditLog", this::list);
  }

  private void list(RoutingContext ctx) {
    Filter filter = Filter.program("l.program_id", AuthHandler.principal(ctx).programId())
        .add("l.entity_type = ?", ctx.queryParams().get("entity"))
        .add("l.entity_id = ?", ctx.queryParams().get("entity_id"))
        .add("l.actor_key_id = ?", Params.optionalId(ctx, "key_id"))
        .add("l.action = ?", ctx.queryParams().get("action"))
        .add("l.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("l.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    if (Csv.wanted(ctx)) {
      export(ctx, filter);
    } else {
      PageRequest page = PageRequest.from(ctx);
      Responses.page(ctx, page, audit.list(filter, page.offset(), page.limit()));
    }
  }

  /** All matching entries, streamed (no page, no cap); before and after are JSON text in their cells. */
  private void export(RoutingContext ctx, Filter filter) {
    ctx.response().setChunked(true).putHeader("Content-Type", "text/csv; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"audit_log.csv\"");
    audit.export(filter, ctx.response(), Buffer.buffer(Csv.line(CSV_COLUMNS)), AuditLogHandler::csvLine)
        .onSuccess(v -> ctx.response().end())
        .onFailure(ctx::fail);
  }

  private static Buffer csvLine(JsonObject entry) {
    return Buffer.buffer(Csv.line(CSV_COLUMNS.stream().map(entry::getValue)
        .map(v -> v instanceof JsonObject json ? json.encode() : v).toList()));
  }
}
