package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.Main;
import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failover in seconds: two ledgers in one group, one in a child JVM killed with SIGKILL. Its
 * partitions must be written again within 10 s, and the survivor must keep writing its own during
 * the rebalance (cooperative-sticky assignor, a session timeout of seconds).
 */
@Timeout(240)
class FailoverTest {
  private static final int PARTITIONS = 4;

  @Test
  void aKilledLedgersPartitionsWriteAgainWithinTenSecondsAndTheSurvivorNeverStalls() throws Exception {
    try (TestEngine survivor = TestEngine.start(FailoverTest.class, Map.of("kafka.partitions",
        Integer.toString(PARTITIONS), "ledger.session_timeout_ms", "6000"));
        Facts facts = new Facts(survivor);
        Admin admin = Admin.create(Map.of("bootstrap.servers", survivor.config().kafka().bootstrapServers()))) {
      Fixtures f = new Fixtures(survivor, "EUR");
      JsonObject campaign = f.campaign(new JsonObject());
      JsonObject affiliate = f.affiliate(campaign.getString("id"), "failover@partner.example");
      JsonObject link = f.link(campaign.getString("id"), affiliate.getString("id"));

      Path log = Files.createTempFile("failover-ledger", ".log");
      Process child = childLedger(survivor, log);
      try {
        Set<Integer> childPartitions = awaitTwoMembers(admin, survivor.config().kafka().consumerGroup(),
            "tracklane-ledger-" + child.pid() + "-");
        assertFalse(childPartitions.isEmpty());
        // Both write before the kill.
        for (int p = 0; p < PARTITIONS; p++) {
          send(facts, f, link, p, "warm-" + p);
        }
        Sql.awaitRows(survivor, PARTITIONS, "SELECT 1 FROM clicks WHERE program_id = ? AND source LIKE 'warm-%'",
            f.programId);

        child.destroyForcibly(); // SIGKILL: no leave-group, the broker must notice
        long killedAt = System.nanoTime();
        Map<String, Long> sentAt = new HashMap<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        Map<String, Long> seenAt = new HashMap<>();
        int n = 0;
        while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(20)) {
          int partition = n % PARTITIONS;
          String source = "after-" + n++;
          sentAt.put(source, System.nanoTime());
          partitionOf.put(source, partition);
          send(facts, f, link, partition, source);
          for (Map<String, Object> row : Sql.query(survivor,
              "SELECT source FROM clicks WHERE program_id = ? AND source LIKE 'after-%'", f.programId)) {
            seenAt.putIfAbsent((String) row.get("source"), System.nanoTime());
          }
          Thread.sleep(100);
        }
        // Everything sent is written in the end (nothing lost to the failover).
        Sql.awaitRows(survivor, n, "SELECT 1 FROM clicks WHERE program_id = ? AND source LIKE 'after-%'",
            f.programId);
        long recovery = Long.MAX_VALUE;
        long survivorWorst = 0;
        int survivorFacts = 0;
        for (Map.Entry<String, Long> e : sentAt.entrySet()) {
          Long seen = seenAt.get(e.getKey());
          if (childPartitions.contains(partitionOf.get(e.getKey()))) {
            if (seen != null) {
              recovery = Math.min(recovery, seen - killedAt);
            }
          } else if (e.getValue() - killedAt < TimeUnit.SECONDS.toNanos(12)) {
            // Sent during the rebalance window; one not seen during the run counts as stalled throughout.
            survivorFacts++;
            survivorWorst = Math.max(survivorWorst, (seen != null ? seen : System.nanoTime()) - e.getValue());
          }
        }
        assertTrue(survivorFacts > 20, "facts sent to the survivor's partitions: " + survivorFacts);
        double recoverySeconds = recovery / 1e9;
        double survivorSeconds = survivorWorst / 1e9;
        System.out.printf("failover: the killed ledger's partitions %s wrote again %.1f s after SIGKILL; "
            + "the survivor's slowest fact during the rebalance took %.1f s%n", childPartitions, recoverySeconds,
            survivorSeconds);
        assertTrue(recoverySeconds < 10, "the killed ledger's partitions wrote again after " + recoverySeconds + " s");
        assertTrue(survivorSeconds < 3, "the survivor stalled " + survivorSeconds + " s during the rebalance");
      } finally {
        child.destroyForcibly();
      }
    }
  }

  private static void send(Facts facts, Fixtures f, JsonObject link, int partition, String source) {
    long linkId = Long.parseLong(link.getString("id"));
    Instant at = Instant.now();
    String id = facts.clickId(linkId, at);
    facts.send(partition, new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, f.programId, at,
        new JsonObject().put("click_id", id).put("link_id", linkId)
            .put("campaign_id", Long.parseLong(link.getString("campaign_id")))
            .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
            .put("source", source).put("flags", new JsonArray())));
  }

  /** Waits until the group has the child's member and one more, each with partitions; the child's. */
  private static Set<Integer> awaitTwoMembers(Admin admin, String group, String childPrefix) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
      List<MemberDescription> members = new ArrayList<>(d.members());
      if (members.size() == 2 && members.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
        for (MemberDescription m : members) {
          if (m.clientId().startsWith(childPrefix)) {
            Set<Integer> partitions = new HashSet<>();
            for (TopicPartition tp : m.assignment().topicPartitions()) {
              partitions.add(tp.partition());
            }
            return partitions;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the child ledger never joined the group");
  }

  private static Process childLedger(TestEngine survivor, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve").redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TRACKLANE_"));
    pb.environment().putAll(survivor.environment());
    pb.environment().put("TRACKLANE_ROLES", "ledger");
    pb.environment().put("TRACKLANE_HTTP_OPS_PORT", Integer.toString(TestEngine.freePort()));
    pb.environment().put("TRACKLANE_HTTP_EDGE_PORT", Integer.toString(TestEngine.freePort()));
    pb.environment().put("TRACKLANE_HTTP_API_PORT", Integer.toString(TestEngine.freePort()));
    pb.directory(new File(System.getProperty("user.dir")));
    return pb.start();
  }

}
