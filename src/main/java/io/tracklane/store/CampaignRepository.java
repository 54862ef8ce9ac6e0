package io.tracklane.store;

import io.tracklane.domain.CampaignTerms;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Campaigns and their reward rules. */
public final class CampaignRepository {
  /** The columns a campaign's terms are written to, in the order {@link #values} binds them. */
  private static final List<String> TERMS = List.of("name", "description", "landing_page_url", "allowed_domains",
      "currency", "reward_type", "commission_percent", "commission_amount_cents", "lead_reward_cents",
      "cookie_window_days", "minimum_payout_cents", "payout_delay_days", "reward_cadence",
      "max_commission_period_months", "max_commissions", "auto_approve_affiliates", "accept_client_conversions",
      "state", "hold_client_conversions", "credit_bot_clicks", "client_origins");
  private static final String COLUMNS = String.join(", ", TERMS);
  private static final String SELECT = "SELECT id, " + COLUMNS + ", created_at, updated_at";
  private static final String INSERT = "INSERT INTO campaigns (program_id, " + COLUMNS + ") VALUES ($1, "
      + IntStream.rangeClosed(2, TERMS.size() + 1).mapToObj(i -> "$" + i)
          .collect(Collectors.joining(", ")) + ") RETURNING id";
  private static final String UPDATE = "UPDATE campaigns SET "
      + IntStream.range(0, TERMS.size())
          .mapToObj(i -> TERMS.get(i) + " = $" + (i + 3)).collect(Collectors.joining(", "))
      + ", updated_at = now() WHERE program_id = $1 AND id = $2"
      // Flat amounts and minimums are read in the campaign's currency: once money was recorded under
      // it, a new currency would silently reread them all.
      + " AND (currency = $" + (TERMS.indexOf("currency") + 3)
      + " OR NOT EXISTS (SELECT 1 FROM conversions WHERE program_id = $1 AND campaign_id = $2)"
      + " AND NOT EXISTS (SELECT 1 FROM leads WHERE program_id = $1 AND campaign_id = $2)"
      + " AND NOT EXISTS (SELECT 1 FROM commissions WHERE program_id = $1 AND campaign_id = $2))";
  private static final String GET = SELECT + " FROM campaigns WHERE program_id = $1 AND id = $2";

  private final Pool pool;

  public CampaignRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM campaigns", filter, "ORDER BY id DESC", offset, limit,
        CampaignRepository::toJson);
  }

  /** The campaign as the API shows it, or null. */
  public Future<JsonObject> get(long programId, long id) {
    return get(pool, programId, id);
  }

  /** The same through {@code client}, e.g. inside the transaction of a change. */
  public Future<JsonObject> get(SqlClient client, long programId, long id) {
    return client.preparedQuery(GET).execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, CampaignRepository::toJson));
  }

  /** The campaign, locked until the transaction ends (the "before" of a change), or null. */
  public Future<JsonObject> lock(SqlClient tx, long programId, long id) {
    return tx.preparedQuery(GET + " FOR UPDATE").execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, CampaignRepository::toJson));
  }

  public Future<Long> create(SqlClient client, long programId, CampaignTerms terms) {
    Tuple args = values(Tuple.tuple().addValue(programId), terms);
    return client.preparedQuery(INSERT).execute(args).map(rows -> rows.iterator().next().getLong("id"));
  }

  /**
   * Updates the campaign; false (nothing changed) when the update changes the currency of a campaign
   * under which conversions, leads or commissions were recorded.
   */
  public Future<Boolean> update(SqlClient client, long programId, long id, CampaignTerms terms) {
    Tuple args = values(Tuple.tuple().addValue(programId).addValue(id), terms);
    return client.preparedQuery(UPDATE).execute(args).map(rows -> rows.rowCount() > 0);
  }



  /** Every row the filter selects (columns unaliased), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM campaigns", filter, "ORDER BY id", CampaignRepository::toJson);
  }

  /** The terms appended to {@code args} in {@link #TERMS} order. */
  private static Tuple values(Tuple args, CampaignTerms t) {
    return args.addValue(t.name()).addValue(t.description()).addValue(t.landingPageUrl())
        .addValue(t.allowedDomains().toArray(String[]::new)).addValue(t.currency()).addValue(t.rewardType())
        .addValue(t.commissionPercent()).addValue(t.commissionAmountCents()).addValue(t.leadRewardCents())
        .addValue(t.cookieWindowDays()).addValue(t.minimumPayoutCents()).addValue(t.payoutDelayDays())
        .addValue(t.rewardCadence()).addValue(t.maxCommissionPeriodMonths()).addValue(t.maxCommissions())
        .addValue(t.autoApproveAffiliates()).addValue(t.acceptClientConversions()).addValue(t.state())
        .addValue(t.holdClientConversions()).addValue(t.creditBotClicks())
        .addValue(t.clientOrigins().toArray(String[]::new));
  }

  /** 10.0000 as 10 and 12.5000 as 12.5, never 1E+1. */
  private static BigDecimal plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  static JsonObject toJson(Row r) {
    BigDecimal percent = r.getBigDecimal("commission_percent");
    String[] domains = r.getArrayOfStrings("allowed_domains");
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("name", r.getString("name"))
        .put("description", r.getString("description"))
        .put("landing_page_url", r.getString("landing_page_url"))
        .put("allowed_domains", new JsonArray(domains == null ? java.util.List.of() : java.util.List.of(domains)))
        .put("currency", r.getString("currency"))
        .put("reward_type", r.getString("reward_type"))
        .put("commission_percent", percent == null ? null : plain(percent))
        .put("commission_amount_cents", r.getLong("commission_amount_cents"))
        .put("lead_reward_cents", r.getLong("lead_reward_cents"))
        .put("cookie_window_days", r.getInteger("cookie_window_days"))
        .put("minimum_payout_cents", r.getLong("minimum_payout_cents"))
        .put("payout_delay_days", r.getInteger("payout_delay_days"))
        .put("reward_cadence", r.getString("reward_cadence"))
        .put("max_commission_period_months", r.getInteger("max_commission_period_months"))
        .put("max_commissions", r.getInteger("max_commissions"))
        .put("auto_approve_affiliates", r.getBoolean("auto_approve_affiliates"))
        .put("accept_client_conversions", r.getBoolean("accept_client_conversions"))
        .put("hold_client_conversions", r.getBoolean("hold_client_conversions"))
        .put("credit_bot_clicks", r.getBoolean("credit_bot_clicks"))
        .put("client_origins", new JsonArray(List.of(r.getArrayOfStrings("client_origins"))))
        .put("state", r.getString("state"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }
}
