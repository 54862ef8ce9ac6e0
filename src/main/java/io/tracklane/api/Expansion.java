package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.Filter;
import io.tracklane.store.Paged;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code expand=}: related objects inlined into the rows of a page under the relation's name.
 * Each relation costs one query for the whole page (the page's ids, {@code = ANY}), never one
 * per row; a row's id field stays as it is.
 */
final class Expansion {
  /** Loads the rows related to {@code ids}, scoped to the program. */
  interface Loader {
    Future<List<JsonObject>> load(long programId, List<Long> ids);
  }

  /**
   * One expandable relation: the row's {@code idField} is matched against the loaded rows'
   * {@code keyField}; {@code many} inlines an array (a payout's commissions), else one object or null.
   */
  record Relation(String name, String idField, String keyField, boolean many, Loader loader) {
    static Relation one(String name, String idField, Loader loader) {
      return new Relation(name, idField, "id", false, loader);
    }

    static Relation many(String name, String keyField, Loader loader) {
      return new Relation(name, "id", keyField, true, loader);
    }
  }

  private final Map<String, Relation> relations = new LinkedHashMap<>();

  Expansion(Relation... relations) {
    for (Relation r : relations) {
      this.relations.put(r.name(), r);
    }
  }

  /** The relations {@code expand=a,b} names (repeated parameters too); an unknown name is a 400 naming it. */
  List<Relation> requested(RoutingContext ctx) {
    Set<Relation> wanted = new LinkedHashSet<>();
    for (String value : ctx.queryParams().getAll("expand")) {
      for (String name : value.split(",", -1)) {
        Relation r = relations.get(name.trim());
        if (name.isBlank()) {
          throw HttpError.badRequest("expand must name relations, comma-separated: "
              + String.join(", ", relations.keySet()));
        }
        if (r == null) {
          throw HttpError.badRequest("unknown expand value: " + name.trim() + " (allowed: "
              + String.join(", ", relations.keySet()) + ")");
        }
        wanted.add(r);
      }
    }
    return new ArrayList<>(wanted);
  }

  /** Answers one page of {@code lister} with the relations the request's expand= names inlined. */
  void answerPage(RoutingContext ctx, Filter filter, Responses.Lister lister) {
    PageRequest page = PageRequest.from(ctx);
    List<Relation> wanted = requested(ctx);
    Responses.page(ctx, page, page(AuthHandler.principal(ctx).programId(), wanted,
        lister.list(filter, page.offset(), page.limit())));
  }

  Future<Paged> page(long programId, List<Relation> wanted, Future<Paged> page) {
    return page.compose(p -> apply(programId, wanted, p.data()).map(p));
  }

  /** The object with its relations inlined; null stays null (the caller answers 404). */
  Future<JsonObject> one(long programId, List<Relation> wanted, Future<JsonObject> lookup) {
    return lookup.compose(obj -> obj == null ? Future.succeededFuture()
        : apply(programId, wanted, new JsonArray().add(obj)).map(obj));
  }

  private Future<Void> apply(long programId, List<Relation> wanted, JsonArray rows) {
    List<Future<Void>> loads = new ArrayList<>();
    for (Relation r : wanted) {
      loads.add(stitch(programId, r, rows));
    }
    return Future.all(loads).mapEmpty();
  }

  private static Future<Void> stitch(long programId, Relation r, JsonArray rows) {
    Set<Long> ids = new LinkedHashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      String id = rows.getJsonObject(i).getString(r.idField());
      if (id != null) {
        ids.add(Long.parseLong(id));
      }
    }
    Future<List<JsonObject>> loaded = ids.isEmpty() ? Future.succeededFuture(List.of())
        : r.loader().load(programId, new ArrayList<>(ids));
    return loaded.map(found -> {
      Map<String, JsonArray> byKey = new HashMap<>();
      found.forEach(obj -> byKey.computeIfAbsent(obj.getString(r.keyField()), k -> new JsonArray()).add(obj));
      for (int i = 0; i < rows.size(); i++) {
        JsonObject row = rows.getJsonObject(i);
        JsonArray matches = byKey.get(row.getString(r.idField()));
        if (r.many()) {
          row.put(r.name(), matches == null ? new JsonArray() : matches.copy());
        } else {
          row.put(r.name(), matches == null ? null : matches.getJsonObject(0).copy());
        }
      }
      return null;
    });
  }
}
