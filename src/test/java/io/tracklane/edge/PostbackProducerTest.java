package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Postbacks go through a producer of their own, without the clicks' linger: a postback waits for
 * Kafka's acknowledgement, and on the clicks' producer it would first wait the whole linger.
 */
@Timeout(120)
class PostbackProducerTest {

  @Test
  void aPostbackDoesNotWaitForTheClickProducersLinger() {
    // The clicks' producer holds a batch open for 1 s, longer than a postback may wait for its
    // acknowledgement (800 ms): on that producer every postback would answer 503.
    Map<String, String> settings = Map.of("roles", "edge", "kafka.linger_ms", "1000",
        "kafka.produce_timeout_ms", "800");
    try (TestEngine engine = TestEngine.start(PostbackProducerTest.class, settings)) {
      JsonObject program = engine.createProgram("Postback producer", "UTC", "EUR");
      String token = program.getString("postback_token");
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> answer = Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded",
            "transaction_id=pp-" + i + "&amount=1.00&customer_id=c" + i, "X-Postback-Token", token);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("accepted", Http.json(answer).getString("status"), answer.body());
      }
    }
  }
}
