package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An affiliate key tries every spelling of an owner path that a prefix check on the raw path
 * would have let through: it gets no owner data and changes nothing.
 */
@Timeout(120)
class PathTricksTest {
  private static final String SECRET_NAME = "Owner Only Campaign";
  /** Ways to spell /api/v1/campaigns starting from the affiliate prefix, or bending the path. */
  private static final List<String> TRICKS = List.of(
      "/api/v1/affiliate/../campaigns",
      "/api/v1/affiliate/%2e%2e/campaigns",
      "/api/v1/affiliate/%2E%2E/campaigns",
      "/api/v1/affiliate/.%2e/campaigns",
      "/api/v1/affiliate/..;/campaigns",
      "/api/v1/affiliate/..%2fcampaigns",
      "/api/v1/affiliate/%2e%2e%2fcampaigns",
      "/api/v1/affiliate/./../campaigns",
      "/api/v1/affiliate/x/../../campaigns",
      "//api/v1/campaigns",
      "/api/v1//campaigns",
      "/api/v1/campaigns/",
      "/api/v1/campaigns/.",
      "/api/v1/./campaigns",
      "/API/V1/CAMPAIGNS",
      "/api/v1/Campaigns",
      "/api/v1/campaigns%2f",
      "/api/v1/campaigns?x=/api/v1/affiliate/",
      "/api/v1/affiliate/../campaigns;jsessionid=1");

  private static TestEngine engine;
  private static Fixtures owner;
  private static String affiliateKey;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(PathTricksTest.class);
    owner = new Fixtures(engine, "EUR");
    JsonObject campaign = owner.campaign(new JsonObject().put("name", SECRET_NAME));
    long affiliateId = Long.parseLong(owner.affiliate(campaign.getString("id"), "tricks@partner.example")
        .getString("id"));
    affiliateKey = engine.affiliateKey(owner.programId, affiliateId);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void noSpellingOfAnOwnerPathGivesAnAffiliateKeyOwnerData() {
    for (String target : TRICKS) {
      Http.Raw r = Http.raw(port(), "GET", target, null, auth());
      assertFalse(r.body().contains(SECRET_NAME), target + " leaked: " + r.body());
      assertTrue(Set.of(400, 403, 404).contains(r.status()), target + " -> " + r.status() + " " + r.body());
    }
  }

  @Test
  void noSpellingOfAnOwnerPathLetsAnAffiliateKeyWrite() {
    long before = campaignCount();
    String body = new JsonObject().put("name", "Planted").put("landing_page_url", "https://evil.example")
        .put("reward_type", "percent").put("commission_percent", 100).encode();
    for (String target : TRICKS) {
      Http.Raw post = Http.raw(port(), "POST", target, body, auth());
      assertTrue(Set.of(400, 403, 404, 405).contains(post.status()), "POST " + target + " -> " + post.status());
    }
    assertEquals(before, campaignCount());
  }

  @Test
  void theSameTrickWithAnOwnerKeyStillReachesOnlyWhatTheRouterMatched() {
    // The router's own normalisation is what authorization is decided on: the dot-segment form
    // is the campaigns route for an owner, and refused to the affiliate above.
    Http.Raw r = Http.raw(port(), "GET", "/api/v1/affiliate/../campaigns", null,
        "Authorization: " + Http.basic(owner.ownerKey)[1]);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.body().contains(SECRET_NAME));
  }

  private static long campaignCount() {
    return Http.json(owner.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count");
  }

  private static int port() {
    return engine.config().http().apiPort();
  }

  private static String auth() {
    return "Authorization: Basic " + Base64.getEncoder().encodeToString((affiliateKey + ":")
        .getBytes(StandardCharsets.UTF_8));
  }
}
