package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every postback is counted once, by its final outcome: malformed ones are "rejected" too. */
@Timeout(120)
class PostbackCountersTest {

  @Test
  void eachPostbackCountsOnceByItsOutcome() {
    try (TestEngine engine = TestEngine.start(PostbackCountersTest.class, Map.of("roles", "edge"))) {
      JsonObject program = engine.createProgram("Counters", "UTC", "EUR");
      String token = program.getString("postback_token");
      assertEquals(200, post(engine, token, "transaction_id=c-1&amount=1.00&customer_id=x").statusCode());
      HttpResponse<String> repeat = post(engine, token, "transaction_id=c-1&amount=1.00&customer_id=x");
      assertEquals("duplicate", Http.json(repeat).getString("status"), repeat.body());
      assertEquals(400, post(engine, token, "amount=1.00&customer_id=x").statusCode(), "no transaction id");
      int unauthenticated = post(engine, "pt_not-a-token", "transaction_id=c-2&amount=1.00&customer_id=x")
          .statusCode();
      assertTrue(unauthenticated == 401 || unauthenticated == 403, "an unknown token: " + unauthenticated);

      String metrics = Http.get(engine.opsUrl() + "/metrics").body();
      assertEquals(1.0, value(metrics, "accepted"));
      assertEquals(1.0, value(metrics, "duplicate"));
      assertEquals(2.0, value(metrics, "rejected"), "the malformed and the unauthenticated one");
      assertEquals(0.0, value(metrics, "unavailable"));
    }
  }

  private static HttpResponse<String> post(TestEngine engine, String token, String form) {
    return Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded", form,
        "X-Postback-Token", token);
  }

  private static double value(String metrics, String outcome) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith("tracklane_postbacks_total{") && line.contains("outcome=\"" + outcome + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }
}
