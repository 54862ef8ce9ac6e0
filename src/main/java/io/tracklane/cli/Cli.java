package io.tracklane.cli;

import io.tracklane.api.CampaignInput;
import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.ledger.LedgerVerifier;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Db;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The command-line tools of the jar. */
public final class Cli {
  public static final String USAGE = """
      usage: java -jar tracklane.jar [command]
        serve                         run the engine (default); roles and ports from config/application.yaml
        create-program --name NAME [--time-zone ZONE] [--currency CODE] [--fallback-url URL]
                                      create a program; prints JSON with its id, postback token and first admin key
        set-rate-limit --program-id ID --requests N|default
                                      API requests per window for the program's keys without their own limit
        set-cookie-domain --program-id ID --domain DOMAIN|none
                                      Domain of the program's click cookie (an edge served as track.DOMAIN)
        demo                          create a demo program, campaign, affiliate and link, print them, then serve
        migrate                       apply database migrations and exit
        verify-ledger [--program N]   recompute commissions, refunds, payouts and cadence counts from the stored
                                      facts; print each difference; exit 1 if any""";

  private Cli() {
  }

  public static int createProgram(String[] args) {
    Map<String, String> opts = options(args);
    if (!opts.containsKey("name")) {
      System.err.println("create-program needs --name\n" + USAGE);
      return 2;
    }
    AppConfig config = AppConfig.load();
    Migrations.migrate(config.postgres());
    return withPool(config, pool -> new ProgramAdmin(pool).createProgram(opts.get("name"),
            opts.getOrDefault("time-zone", "UTC"), opts.getOrDefault("currency", "USD"), opts.get("fallback-url"))
        .map(json -> {
          System.out.println(json.encodePrettily());
          return 0;
        }));
  }

  public static int setRateLimit(String[] args) {
    Map<String, String> opts = options(args);
    String requests = opts.get("requests");
    if (!opts.containsKey("program-id") || requests == null
        || !(requests.matches("[1-9][0-9]{0,8}") || "default".equals(requests))) {
      System.err.println("set-rate-limit needs --program-id ID and --requests N (1 or more) or default\n" + USAGE);
      return 2;
    }
    long programId;
    try {
      programId = Long.parseLong(opts.get("program-id"));
    } catch (NumberFormatException e) {
      System.err.println("--program-id must be a number");
      return 2;
    }
    AppConfig config = AppConfig.load();
    Migrations.migrate(config.postgres());
    Integer limit = "default".equals(requests) ? null : Integer.valueOf(requests);
    return withPool(config, pool -> new ProgramAdmin(pool).setRateLimit(programId, limit).map(v -> {
      System.out.println("program " + programId + ": " + (limit == null ? "default rate limit"
          : limit + " requests per window"));
      return 0;
    }));
  }

  public static int setCookieDomain(String[] args) {
    Map<String, String> opts = options(args);
    String domain = opts.get("domain");
    if (!opts.containsKey("program-id") || domain == null || !opts.get("program-id").matches("[1-9][0-9]{0,17}")) {
      System.err.println("set-cookie-domain needs --program-id ID and --domain DOMAIN or none\n" + USAGE);
      return 2;
    }
    long programId = Long.parseLong(opts.get("program-id"));
    AppConfig config = AppConfig.load();
    Migrations.migrate(config.postgres());
    String value = "none".equals(domain) ? null : domain;
    return withPool(config, pool -> new ProgramAdmin(pool).setCookieDomain(programId, value).map(v -> {
      System.out.println("program " + programId + ": " + (value == null ? "host-only click cookie"
          : "click cookie Domain=" + value));
      return 0;
    }));
  }

  /**
   * Recomputes the ledger of one program (or all) with the domain's rules and prints each
   * difference: 0 when there is none, 1 when there is, 2 on bad arguments.
   */
  public static int verifyLedger(AppConfig config, String[] args, PrintStream out) {
    Map<String, String> opts = options(args);
    Long program;
    try {
      program = opts.containsKey("program") ? Long.valueOf(opts.get("program")) : null;
    } catch (NumberFormatException e) {
      System.err.println("--program needs a program id\n" + USAGE);
      return 2;
    }
    return withPool(config, pool -> new LedgerVerifier(pool).verify(program).map(differences -> {
      differences.forEach(out::println);
      out.println(differences.isEmpty() ? "ledger verified: no difference"
          : "ledger differs from its rules: " + differences.size() + " difference(s)");
      return differences.isEmpty() ? 0 : 1;
    }));
  }

  /** Sets up a demo program, then serves, printing how to use it once the engine is up. */
  public static int demo(String[] args, Function<Runnable, Integer> serve) {
    AppConfig config = AppConfig.load();
    Migrations.migrate(config.postgres());
    StringBuilder banner = new StringBuilder();
    int setup = withPool(config, pool -> createDemo(config, pool).map(text -> {
      banner.append(text);
      return 0;
    }));
    if (setup != 0) {
      return setup;
    }
    return serve.apply(() -> System.out.println(banner));
  }

  static Future<String> createDemo(AppConfig config, Pool pool) {
    ProgramAdmin admin = new ProgramAdmin(pool, "demo");
    return admin.createProgram("Demo program", "Europe/Paris", "EUR", "https://example.com/").compose(program -> {
      long programId = Long.parseLong(program.getString("program_id"));
      String code = "demo" + programId;
      return pool.withTransaction(tx -> demoCampaign(tx, config, pool, admin.actor(programId), code))
          .compose(ids -> admin.createAffiliateKey(programId, ids[0], "demo affiliate key")
              .map(affiliateKey -> banner(config, program, code, ids[1], affiliateKey)));
    });
  }

  /** The demo's campaign, affiliate and link, each audited as the demo's; returns {affiliate id, link id}. */
  private static Future<long[]> demoCampaign(SqlConnection tx, AppConfig config, Pool pool, AuditLog.Actor actor,
      String code) {
    long programId = actor.programId();
    JsonObject campaign = new JsonObject().put("name", "Demo campaign").put("landing_page_url",
            "https://example.com/landing").put("reward_type", "percent").put("commission_percent", 10)
        .put("cookie_window_days", 30).put("payout_delay_days", 30).put("reward_cadence", "every_payment");
    AuditLog audit = new AuditLog(pool);
    CampaignRepository campaigns = new CampaignRepository(pool);
    AffiliateRepository affiliates = new AffiliateRepository(pool);
    LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());
    return campaigns.create(tx, programId, CampaignInput.terms(campaign, "EUR")).compose(campaignId -> campaigns
        .get(tx, programId, campaignId)
        .compose(created -> audit.record(tx, actor, "campaign.created", "campaign", campaignId, null, created))
        .compose(v -> affiliates.upsert(tx, programId, "Jane", "Doe", "jane@example.com"))
        .compose(affiliate -> affiliates.enroll(tx, programId, campaignId, affiliate.id(), "active")
            .compose(v -> affiliates.get(tx, programId, affiliate.id()))
            .compose(enrolled -> audit.record(tx, actor, "affiliate.enrolled", "affiliate", affiliate.id(), null,
                enrolled))
            .compose(v -> links.create(tx, programId, campaignId, affiliate.id(), code, null, "active"))
            .compose(linkId -> links.get(tx, programId, linkId)
                .compose(link -> audit.record(tx, actor, "link.created", "link", linkId, null, link))
                .map(v -> new long[] {affiliate.id(), linkId}))));
  }

  private static String banner(AppConfig config, JsonObject program, String code, long linkId, String affiliateKey) {
    String edge = config.http().publicEdgeUrl();
    String api = config.http().publicApiUrl();
    ClickIdCodec codec = new ClickIdCodec(config.clickId().keys(), config.clickId().currentKeyId(),
        ThreadLocalRandom.current());
    String clickId = codec.issue(linkId, Instant.now()).value();
    String sk = program.getString("api_key");
    return """

        Tracklane demo is running (Ctrl-C stops it).
          program id       %s
          owner API key    %s   (shown once)
          affiliate key    %s   (shown once)
          postback token   %s
          tracking link    %s/r/%s
          API              %s/api/v1/commissions
          metrics, health  http://localhost:%d/metrics  http://localhost:%d/health/ready

        Follow the link:       curl -i %s/r/%s
        Report a sale:         curl -X POST %s/postback -H 'X-Postback-Token: %s' \\
                                 -d transaction_id=order-$RANDOM -d amount=49.90 -d click_id=%s
        See the commission:    curl -u %s: %s/api/v1/commissions
        """.formatted(program.getString("program_id"), sk, affiliateKey, program.getString("postback_token"), edge,
        code, api, config.http().opsPort(), config.http().opsPort(), edge, code, edge,
        program.getString("postback_token"), clickId, sk, api);
  }

  private static int withPool(AppConfig config, Function<Pool, Future<Integer>> work) {
    Vertx vertx = Vertx.vertx();
    Pool pool = Db.pool(vertx, config.postgres());
    try {
      return work.apply(pool).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("failed: " + cause.getMessage());
      return 1;
    } finally {
      pool.close();
      vertx.close();
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (args[i].startsWith("--")) {
        opts.put(args[i].substring(2), args[i + 1]);
      }
    }
    return opts;
  }
}
