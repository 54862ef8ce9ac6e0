package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two ledger consumers in one group, each owning half the partitions: sales of the same new
 * customer sent to partitions owned by different consumers are credited at the same moment.
 */
@Timeout(180)
class TwoLedgerInstancesTest {
  private static final int CUSTOMERS = 30;
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(TwoLedgerInstancesTest.class, Map.of("ledger.instances", "2", "kafka.partitions", "4",
        "ledger.batch_max", "5"));
    facts = new Facts(engine);
    awaitTwoMembers();
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void simultaneousSalesOfOneNewCustomerBindOnceAndCountTheCadenceRight() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject once = f.campaign(new JsonObject().put("reward_cadence", "one_time"));
    JsonObject twice = f.campaign(new JsonObject().put("reward_cadence", "custom").put("max_commissions", 2));
    long onceLink = link(f, once, "once@partner.example");
    long twiceLink = link(f, twice, "twice@partner.example");
    Instant now = Instant.now();
    for (int i = 0; i < CUSTOMERS; i++) {
      for (int sale = 0; sale < 3; sale++) {
        long linkId = i % 2 == 0 ? onceLink : twiceLink;
        // Partitions 0 and 3 always belong to different consumers of a two-member group.
        facts.send(sale % 2 == 0 ? 0 : 3, Facts.postback(f.programId, now, new JsonObject()
            .put("transaction_id", "t-" + i + "-" + sale).put("click_id", facts.clickId(linkId, now))
            .put("customer_id", "new-" + i).put("amount_minor", 1000L).put("currency", "EUR")));
      }
    }
    facts.awaitScalar(CUSTOMERS * 3L, Duration.ofSeconds(60),
        "SELECT count(*) FROM conversions WHERE program_id = $1 AND status = 'credited'", f.programId);

    List<Row> customers = facts.sql("""
        SELECT c.customer_key, c.affiliate_id,
               (SELECT coalesce(sum(cc.commissioned_sales), 0) FROM customer_campaigns cc
                 WHERE cc.customer_id = c.id)::int AS commissioned_sales,
               (SELECT count(*) FROM commissions m JOIN conversions v ON v.id = m.conversion_id
                 WHERE v.customer_id = c.id) AS commissions
          FROM customers c WHERE c.program_id = $1""", f.programId);
    assertEquals(CUSTOMERS, customers.size());
    for (Row c : customers) {
      int expected = Integer.parseInt(c.getString("customer_key").substring(4)) % 2 == 0 ? 1 : 2;
      assertEquals(expected, c.getInteger("commissioned_sales"), c.getString("customer_key"));
      assertEquals(expected, c.getLong("commissions"), c.getString("customer_key"));
    }
  }

  private static long link(Fixtures f, JsonObject campaign, String email) {
    String affiliate = f.affiliate(campaign.getString("id"), email).getString("id");
    return Long.parseLong(f.link(campaign.getString("id"), affiliate).getString("id"));
  }

  private static void awaitTwoMembers() {
    Properties p = new Properties();
    p.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    String group = engine.config().kafka().consumerGroup();
    try (Admin admin = Admin.create(p)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        if (description.members().size() == 2 && description.members().stream()
            .allMatch(m -> m.assignment().topicPartitions().size() == 2)) {
          return;
        }
        Http.sleep(200);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("the two ledger consumers did not both join the group");
  }
}
