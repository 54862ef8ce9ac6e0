package io.tracklane.api;

import io.tracklane.domain.Currencies;
import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.tracklane.store.FxRateRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.util.Set;

/** /api/v1/fx_rates: the program's exchange rates, used for conversions in another currency. */
public final class FxRatesHandler {
  private static final BigDecimal MAX_RATE = new BigDecimal("1000000000");

  private final Pool pool;
  private final FxRateRepository rates;
  private final AuditLog audit;

  public FxRatesHandler(Pool pool, AuditLog audit) {
    this.pool = pool;
    this.rates = new FxRateRepository(pool);
    this.audit = audit;
  }

  public void register(Operations ops) {
    ops.on("listFxRates", this::list);
    ops.on("putFxRate", this::put);
  }

  private void list(RoutingContext ctx) {
    rates.list(AuthHandler.principal(ctx).programId())
        .onSuccess(data -> Responses.json(ctx, 200, new JsonObject().put("data", data)))
        .onFailure(ctx::fail);
  }

  private void put(RoutingContext ctx) {
    String base = currency(ctx, "base");
    String quote = currency(ctx, "quote");
    if (base.equals(quote)) {
      throw HttpError.badRequest("base and quote must differ");
    }
    JsonObject body = Json.body(ctx, Set.of("rate"));
    BigDecimal rate = rate(body.getValue("rate"));
    AuditLog.Actor actor = Responses.actor(ctx);
    JsonObject stored = new JsonObject().put("base_currency", base).put("quote_currency", quote)
        .put("rate", rate.toPlainString());
    pool.withTransaction(tx -> rates.lock(tx, actor.programId(), base, quote).compose(before -> rates
            .put(tx, actor.programId(), base, quote, rate)
            .compose(v -> audit.record(tx, actor, "fx_rate.set", "fx_rate", base + "/" + quote,
                before, stored))))
        .onSuccess(v -> Responses.json(ctx, 200, stored))
        .onFailure(ctx::fail);
  }

  private static String currency(RoutingContext ctx, String name) {
    String code = ctx.pathParam(name);
    if (!Currencies.isValid(code)) {
      throw HttpError.badRequest(name + " must be an ISO 4217 code like EUR");
    }
    return code;
  }

  /** A positive decimal with at most 10 decimals, as a string ("1.0825") or a JSON number. */
  private static BigDecimal rate(Object value) {
    try {
      BigDecimal rate = new BigDecimal(String.valueOf(value)).stripTrailingZeros();
      if (rate.signum() > 0 && rate.scale() <= 10 && rate.compareTo(MAX_RATE) < 0) {
        return rate;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpError.badRequest("rate must be a positive decimal with at most 10 decimals, e.g. \"1.0825\"");
  }
}
