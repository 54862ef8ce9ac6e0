package io.tracklane.api;

import io.tracklane.domain.PartnerSettings;
import io.tracklane.http.HttpError;
import io.tracklane.stats.Dimension;
import io.tracklane.stats.StatsFilter;
import io.tracklane.stats.StatsReport;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * /api/v1/affiliate/dashboard_summary and /affiliate/reports: the affiliate's own figures, cut in its
 * time zone (its settings', else its program's) or the one asked, from {@link AffiliateStats} (the
 * stats cache).
 */
public final class AffiliateReportsHandler {
  private static final String[] GROUPS = {"day", "campaign", "link", "sub1", "sub2", "sub3", "sub4", "sub5",
      "source"};
  private static final List<String> CSV_COLUMNS = List.of("group", "name", "clicks", "unique_clicks", "conversions",
      "currency", "revenue_cents", "commissions_cents");

  private final AffiliateStats stats;
  private final AffiliateRepository affiliates;
  private final ProgramRepository programs;
  private final CampaignRepository campaigns;
  private final LinkRepository links;
  private final Clock clock;

  public AffiliateReportsHandler(AffiliateStats stats, AffiliateRepository affiliates, ProgramRepository programs,
      CampaignRepository campaigns, LinkRepository links, Clock clock) {
    this.stats = stats;
    this.affiliates = affiliates;
    this.programs = programs;
    this.campaigns = campaigns;
    this.links = links;
    this.clock = clock;
  }

  public void register(Operations ops) {
    ops.on("getAffiliateDashboardSummary", this::summary);
    ops.on("getAffiliateReport", this::report);
  }

  private void summary(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    stats.summary(principal.programId(), principal.affiliateId(), () -> zone(principal))
        .onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  /** The affiliate's own zone when it set one, else its program's. */
  private Future<ZoneId> zone(Principal principal) {
    return Future.all(affiliates.get(principal.programId(), principal.affiliateId()),
        programs.findById(principal.programId())).map(both -> {
          JsonObject affiliate = both.resultAt(0);
          ProgramRepository.ProgramInfo program = both.resultAt(1);
          return PartnerSettings.effectiveZone(affiliate == null ? null : affiliate.getString("time_zone"),
              program.timeZone());
        });
  }

  /** The report's parameters, each checked with a 400 naming it; dates and zone may be left to defaults. */
  private record ReportRequest(Dimension groupBy, ZoneId zone, LocalDate from, LocalDate to, StatsFilter filter,
      boolean csv, PageRequest page) {
    static ReportRequest of(RoutingContext ctx) {
      String group = Params.optionalOneOf(ctx, "group_by", GROUPS);
      String zone = Params.optionalText(ctx, "timezone", 64);
      return new ReportRequest(Dimension.fromWire("group_by", group == null ? "day" : group),
          zone == null ? null : PartnerSettings.timeZone(zone).orElseThrow(() ->
              HttpError.badRequest("timezone must be a tz database name such as Europe/Berlin, spelt exactly")),
          date(ctx, "from"), date(ctx, "to"), statsFilter(ctx), Csv.wanted(ctx), PageRequest.from(ctx));
    }
  }

  private void report(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    ReportRequest request = ReportRequest.of(ctx);
    Future<ZoneId> zone = request.zone() != null ? Future.succeededFuture(request.zone()) : zone(principal);
    Future.all(zone, owned(principal, request.filter()))
        .compose(v -> report(principal, request, zone.result()))
        .onSuccess(report -> respond(ctx, request, report)).onFailure(ctx::fail);
  }

  /** The whole report (every row, named), over the asked days or the 30 ending today in {@code zone}. */
  private Future<JsonObject> report(Principal principal, ReportRequest request, ZoneId zone) {
    LocalDate to = request.to() != null ? request.to() : LocalDate.now(clock.withZone(zone));
    LocalDate from = request.from() != null ? request.from() : to.minusDays(29);
    StatsReport.Request asked = new StatsReport.Request(request.groupBy(), from, to, zone, request.filter());
    return stats.report(principal.programId(), principal.affiliateId(), asked)
        .compose(cached -> named(principal, asked.groupBy(), cached.getJsonArray("rows")))
        .map(rows -> new JsonObject().put("group_by", asked.groupBy().wire()).put("from", from.toString())
            .put("to", to.toString()).put("time_zone", zone.getId()).put("data", rows));
  }

  private static void respond(RoutingContext ctx, ReportRequest request, JsonObject report) {
    JsonArray rows = report.getJsonArray("data");
    if (request.csv()) {
      csv(ctx, rows);
      return;
    }
    PageRequest page = request.page();
    JsonArray shown = new JsonArray(rows.getList().subList((int) Math.min(page.offset(), rows.size()),
        (int) Math.min(page.offset() + page.limit(), rows.size())));
    Responses.json(ctx, 200, report.mergeIn(page.envelope(shown, rows.size())));
  }

  /** 404 when campaign_id or link_id names something that is not the affiliate's. */
  private Future<Void> owned(Principal principal, StatsFilter filter) {
    Future<Void> campaign = filter.campaignId() == null ? Future.succeededFuture()
        : affiliates.isEnrolled(principal.programId(), filter.campaignId(), principal.affiliateId())
            .compose(yes -> yes ? Future.succeededFuture()
                : Future.failedFuture(HttpError.notFound("Campaign not found.")));
    Future<Void> link = filter.linkId() == null ? Future.succeededFuture()
        : links.get(principal.programId(), filter.linkId()).compose(l -> l != null
            && String.valueOf(principal.affiliateId()).equals(l.getString("affiliate_id")) ? Future.succeededFuture()
            : Future.failedFuture(HttpError.notFound("Link not found.")));
    return Future.all(campaign, link).mapEmpty();
  }

  private static StatsFilter statsFilter(RoutingContext ctx) {
    return new StatsFilter(Params.optionalId(ctx, "campaign_id"), null, Params.optionalId(ctx, "link_id"),
        text(ctx, "source"), text(ctx, "sub1"), text(ctx, "sub2"), text(ctx, "sub3"), text(ctx, "sub4"),
        text(ctx, "sub5"), null);
  }

  private static String text(RoutingContext ctx, String name) {
    return Params.optionalText(ctx, name, 255);
  }

  /**
   * Copies of the cached rows, each with its display name: a campaign's name or a link's code (read
   * now, so a renamed campaign shows its new name), null for the other groupings.
   */
  private Future<JsonArray> named(Principal principal, Dimension groupBy, JsonArray cached) {
    List<Long> ids = new ArrayList<>();
    cached.forEach(r -> {
      String group = ((JsonObject) r).getString("group");
      if (group != null && (groupBy == Dimension.CAMPAIGN || groupBy == Dimension.LINK)) {
        ids.add(Long.valueOf(group));
      }
    });
    Future<List<JsonObject>> found = switch (groupBy) {
      case CAMPAIGN -> campaigns.all(Filter.program("program_id", principal.programId()).anyOf("id", ids));
      case LINK -> links.all(principal.filter("l").anyOf("l.id", ids));
      default -> Future.succeededFuture(List.of());
    };
    String field = groupBy == Dimension.CAMPAIGN ? "name" : "code";
    return found.map(objects -> {
      Map<String, String> names = new HashMap<>();
      objects.forEach(o -> names.put(o.getString("id"), o.getString(field)));
      JsonArray out = new JsonArray();
      cached.forEach(r -> {
        JsonObject row = (JsonObject) r;
        out.add(new JsonObject().put("group", row.getString("group")).put("name", names.get(row.getString("group")))
            .mergeIn(row));
      });
      return out;
    });
  }

  /**
   * Every row, one line per currency (revenue and commissions come in the same currency order), or
   * one line without a currency when the group has no money.
   */
  private static void csv(RoutingContext ctx, JsonArray rows) {
    StringBuilder out = new StringBuilder(Csv.line(CSV_COLUMNS));
    for (Object o : rows) {
      JsonObject r = (JsonObject) o;
      List<Object> counts = Arrays.asList(r.getString("group"), r.getString("name"), r.getLong("clicks"),
          r.getLong("unique_clicks"), r.getLong("conversions"));
      JsonArray revenue = r.getJsonArray("revenue");
      JsonArray commissions = r.getJsonArray("commissions");
      if (revenue.isEmpty()) {
        out.append(Csv.line(concat(counts, "", 0L, 0L)));
      }
      for (int i = 0; i < revenue.size(); i++) {
        out.append(Csv.line(concat(counts, revenue.getJsonObject(i).getString("currency"),
            revenue.getJsonObject(i).getLong("amount_cents"), commissions.getJsonObject(i).getLong("amount_cents"))));
      }
    }
    ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"report.csv\"").end(out.toString());
  }

  private static List<Object> concat(List<Object> counts, Object... more) {
    List<Object> out = new ArrayList<>(counts);
    out.addAll(Arrays.asList(more));
    return out;
  }

  private static LocalDate date(RoutingContext ctx, String name) {
    return StatsReport.date(name, Params.optionalText(ctx, name, 10));
  }
}
