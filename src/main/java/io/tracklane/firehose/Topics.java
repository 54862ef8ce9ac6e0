package io.tracklane.firehose;

import io.tracklane.config.AppConfig.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Creates the topics the engine uses when they are missing. */
public final class Topics {
  private Topics() {
  }

  public static Future<Void> ensure(Vertx vertx, KafkaConfig kafka) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "request.timeout.ms", "5000", "default.api.timeout.ms", "8000"));
    List<String> wanted = List.of(kafka.topicFacts(), kafka.topicChanges(), kafka.topicDeadLetter());
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = new ArrayList<>();
      for (String name : wanted) {
        if (!existing.contains(name)) {
          int insync = kafka.replicationFactor() >= 3 ? 2 : 1;
          missing.add(new NewTopic(name, kafka.partitions(), (short) kafka.replicationFactor())
              .setConfig(Map.of("min.insync.replicas", Integer.toString(insync))));
        }
      }
      if (missing.isEmpty()) {
        return Future.succeededFuture();
      }
      return admin.createTopics(missing).recover(e -> String.valueOf(e.getMessage()).contains("already exists")
          ? Future.succeededFuture() : Future.failedFuture(e));
    }).eventually(() -> admin.close()).mapEmpty();
  }

  /** The topics a firehose consumer reads: accepted facts and the changes they caused. */
  public static Set<String> firehose(KafkaConfig kafka) {
    return Set.of(kafka.topicFacts(), kafka.topicChanges());
  }
}
