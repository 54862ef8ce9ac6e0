package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two different clicks under one id: the second cannot be stored (the id is the key), but it is
 * counted and logged instead of vanishing; a redelivery of the same click is not a collision.
 */
@Timeout(120)
class ClickIdCollisionTest {

  @Test
  void aSecondClickUnderAnIdIsCountedAsACollisionAndARedeliveryIsNot() {
    try (TestEngine engine = TestEngine.start(ClickIdCollisionTest.class); Facts facts = new Facts(engine)) {
      Fixtures f = new Fixtures(engine, "EUR");
      JsonObject campaign = f.campaign(new JsonObject());
      JsonObject link = f.link(campaign.getString("id"),
          f.affiliate(campaign.getString("id"), "collide@partner.example").getString("id"));
      long linkId = Long.parseLong(link.getString("id"));
      Instant now = Instant.now();
      String id = facts.clickId(linkId, now);
      CloudEvent first = click(f, link, id, now, "198.51.100.1");
      facts.send(0, first);
      facts.send(0, first); // a redelivery: the same click again
      facts.send(0, click(f, link, id, now, "198.51.100.2")); // another visitor, same id
      String marker = facts.clickId(linkId, now);
      facts.send(0, click(f, link, marker, now, "198.51.100.3"));
      facts.awaitScalar(1, Duration.ofSeconds(60), "SELECT count(*) FROM clicks WHERE click_id = $1", marker);

      assertEquals(1, facts.scalar("SELECT count(*) FROM clicks WHERE click_id = $1", id));
      assertEquals("198.51.100.1", facts.sql("SELECT ip FROM clicks WHERE click_id = $1", id).get(0).getString("ip"));
      Http.poll(Duration.ofSeconds(10), r -> r.body().contains("tracklane_click_id_collisions_total 1.0"),
          engine.opsUrl() + "/metrics");
    }
  }

  private static CloudEvent click(Fixtures f, JsonObject link, String id, Instant at, String ip) {
    JsonObject data = new JsonObject().put("click_id", id).put("link_id", Long.parseLong(link.getString("id")))
        .put("campaign_id", Long.parseLong(link.getString("campaign_id")))
        .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
        .put("ip", ip).put("user_agent", "Mozilla/5.0").put("flags", List.of()).put("unique", true);
    return new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, f.programId, at, data);
  }
}
