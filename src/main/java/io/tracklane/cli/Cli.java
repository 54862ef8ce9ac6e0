package io.tracklane.cli;

import io.tracklane.api.CampaignInput;
import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.ledger.LedgerVerifier;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Db;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
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

  private static Future<String> createDemo(AppConfig config, Pool pool) {
    ProgramAdmin admin = new ProgramAdmin(pool);
    return admin.createProgram("Demo program", "Europe/Paris", "EUR", "https://example.com/").compose(program -> {
      long programId = Long.parseLong(program.getString("program_id"));
      JsonObject campaign = new JsonObject().put("name", "Demo campaign").put("landing_page_url",
              "https://example.com/landing").put("reward_type", "percent").put("commission_percent", 10)
          .put("cookie_window_days", 30).put("payout_delay_days", 30).put("reward_cadence", "every_payment");
      CampaignRepository campaigns = new CampaignRepository(pool);
      AffiliateRepository affiliates = new AffiliateRepository(pool);
      LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());
      String code = "demo" + programId;
      return pool.withTransaction(tx -> campaigns.create(tx, programId, CampaignInput.toTuple(campaign, "EUR"))
              .compose(campaignId -> affiliates.upsert(tx, programId, "Jane", "Doe", "jane@example.com")
                  .compose(affiliateId -> affiliates.enroll(tx, programId, campaignId, affiliateId, "active")
                      .compose(v -> links.create(tx, programId, campaignId, affiliateId, code, null, "active"))
                      .map(linkId -> new long[] {affiliateId, linkId}))))
          .compose(ids -> admin.createAffiliateKey(programId, ids[0], "demo affiliate key")
              .map(affiliateKey -> banner(config, program, code, ids[1], affiliateKey)));
    });
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
