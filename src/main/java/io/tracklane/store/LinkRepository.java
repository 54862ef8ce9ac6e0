package io.tracklane.store;

import io.tracklane.domain.LinkDestinations;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;

/** Tracking links, and the joined view of a link the edge resolves codes to. */
public final class LinkRepository {
  private static final String SELECT = """
      SELECT l.id, l.campaign_id, l.affiliate_id, l.code, l.destination_url, l.state, l.created_at, l.updated_at""";
  private static final String GET = SELECT + " FROM links l WHERE l.program_id = $1 AND l.id = $2";
  private static final String INSERT = """
      INSERT INTO links (program_id, campaign_id, affiliate_id, code, destination_url, state)
      VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""";
  private static final String UPDATE = """
      UPDATE links SET destination_url = $3, state = $4, updated_at = now() WHERE program_id = $1 AND id = $2""";
  /** Everything a redirect needs, in one row: the link, its campaign, affiliate, enrolment and program. */
  private static final String TARGET = """
      SELECT l.id, l.program_id, l.campaign_id, l.affiliate_id, l.destination_url, c.landing_page_url,
             c.allowed_domains, c.cookie_window_days, c.currency, p.fallback_url, c.accept_client_conversions,
             c.client_origins, p.cookie_domain,
             (l.state = 'active' AND c.state = 'active' AND a.state = 'active'
              AND coalesce(e.state, 'pending') = 'active') AS creditable
        FROM links l
        JOIN campaigns c ON c.id = l.campaign_id AND c.program_id = l.program_id
        JOIN affiliates a ON a.id = l.affiliate_id AND a.program_id = l.program_id
        JOIN programs p ON p.id = l.program_id
        LEFT JOIN enrollments e ON e.campaign_id = l.campaign_id AND e.affiliate_id = l.affiliate_id
       WHERE """;

  /**
   * The resolved link the edge redirects through, with its campaign's current allowed domains, and
   * where its redirects lead, checked once here rather than per click.
   */
  public record LinkTarget(long linkId, long programId, long campaignId, long affiliateId, String destinationUrl,
      String landingPageUrl, List<String> allowedDomains, int cookieWindowDays, String currency, String fallbackUrl,
      boolean creditable, boolean acceptClientConversions, List<String> clientOrigins, String cookieDomain,
      LinkDestinations destinations) {

    public LinkTarget(long linkId, long programId, long campaignId, long affiliateId, String destinationUrl,
        String landingPageUrl, List<String> allowedDomains, int cookieWindowDays, String currency, String fallbackUrl,
        boolean creditable, boolean acceptClientConversions, List<String> clientOrigins, String cookieDomain) {
      this(linkId, programId, campaignId, affiliateId, destinationUrl, landingPageUrl, allowedDomains,
          cookieWindowDays, currency, fallbackUrl, creditable, acceptClientConversions, clientOrigins, cookieDomain,
          LinkDestinations.of(destinationUrl, landingPageUrl, allowedDomains, fallbackUrl));
    }
  }

  private final Pool pool;
  private final String publicEdgeUrl;

  public LinkRepository(Pool pool, String publicEdgeUrl) {
    this.pool = pool;
    this.publicEdgeUrl = publicEdgeUrl;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM links l", filter, "ORDER BY l.id DESC", offset, limit, this::toJson);
  }

  /** Every link the filter selects (alias l), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM links l", filter, "ORDER BY l.id", this::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return get(pool, programId, id);
  }

  /** The same through {@code client}, e.g. inside the transaction of a change. */
  public Future<JsonObject> get(SqlClient client, long programId, long id) {
    return client.preparedQuery(GET).execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, this::toJson));
  }

  /** The link, locked until the transaction ends (the "before" of a change), or null. */
  public Future<JsonObject> lock(SqlClient tx, long programId, long id) {
    return tx.preparedQuery(GET + " FOR UPDATE").execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, this::toJson));
  }

  public Future<Long> create(SqlClient client, long programId, long campaignId, long affiliateId, String code,
      String destination, String state) {
    return client.preparedQuery(INSERT).execute(Tuple.of(programId, campaignId, affiliateId, code, destination, state))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  public Future<Void> update(SqlClient client, long programId, long id, String destination, String state) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(programId, id, destination, state)).mapEmpty();
  }

  /** The link with this code, or null. */
  public Future<LinkTarget> targetByCode(String code) {
    return pool.preparedQuery(TARGET + " l.code = $1").execute(Tuple.of(code)).map(LinkRepository::target);
  }

  /** The link with this id, or null; callers check it belongs to their program. */
  public Future<LinkTarget> targetById(long linkId) {
    return pool.preparedQuery(TARGET + " l.id = $1").execute(Tuple.of(linkId)).map(LinkRepository::target);
  }

  /** The link with this id in this program, or null. */
  public Future<LinkTarget> targetById(SqlClient client, long programId, long linkId) {
    return client.preparedQuery(TARGET + " l.program_id = $1 AND l.id = $2").execute(Tuple.of(programId, linkId))
        .map(LinkRepository::target);
  }

  private static LinkTarget target(io.vertx.sqlclient.RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new LinkTarget(r.getLong("id"), r.getLong("program_id"), r.getLong("campaign_id"),
        r.getLong("affiliate_id"), r.getString("destination_url"), r.getString("landing_page_url"),
        Arrays.asList(r.getArrayOfStrings("allowed_domains")), r.getInteger("cookie_window_days"),
        r.getString("currency"), r.getString("fallback_url"), r.getBoolean("creditable"),
        r.getBoolean("accept_client_conversions"), Arrays.asList(r.getArrayOfStrings("client_origins")),
        r.getString("cookie_domain"));
  }

  private JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("code", r.getString("code"))
        .put("url", publicEdgeUrl + "/r/" + r.getString("code"))
        .put("destination_url", r.getString("destination_url"))
        .put("state", r.getString("state"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }
}
