package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.InvalidInput;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which failures may dead-letter a fact: its own data, never a bug in the ledger. */
class PoisonFactsTest {

  @Test
  void programmingErrorsAreNotDataErrorsSoTheyRetryInsteadOfDeadLettering() {
    assertFalse(PoisonFacts.isDataError(new NullPointerException("a bug")));
    assertFalse(PoisonFacts.isDataError(new ClassCastException("a bug")));
    assertFalse(PoisonFacts.isDataError(new IllegalStateException("wrapped", new NullPointerException())));
    assertFalse(PoisonFacts.isDataError(new ArithmeticException("overflow in our arithmetic")));
    assertTrue(PoisonFacts.isBug(new IllegalStateException("wrapped", new NullPointerException())));
    assertFalse(PoisonFacts.isBug(new InvalidInput("amount_minor", "must be whole")));
  }

  @Test
  void theFactsOwnDataIsADataError() {
    assertTrue(PoisonFacts.isDataError(new InvalidInput("amount_minor", "must be a whole number")));
    assertTrue(PoisonFacts.isDataError(new DecodeException("not JSON")));
    assertTrue(PoisonFacts.isDataError(new RuntimeException("wrapped", new InvalidInput("currency", "unknown"))));
  }

  @Test
  void aFieldOfTheWrongTypeIsNamedBeforeAnythingReadsIt() {
    CloudEvent sale = new CloudEvent("pb_1", EventTypes.POSTBACK_RECEIVED, 1, Instant.EPOCH,
        new JsonObject().put("transaction_id", "t").put("amount_minor", "12.50").put("currency", "EUR"));
    InvalidInput e = assertThrows(InvalidInput.class, () -> FactShape.check(sale));
    assertEquals("amount_minor", e.field());
    CloudEvent click = new CloudEvent("clk_1", EventTypes.CLICK_RECORDED, 1, Instant.EPOCH,
        new JsonObject().put("click_id", "c").put("link_id", 5).put("creditable", "yes"));
    assertEquals("creditable", assertThrows(InvalidInput.class, () -> FactShape.check(click)).field());
    FactShape.check(new CloudEvent("pb_2", EventTypes.POSTBACK_RECEIVED, 1, Instant.EPOCH,
        new JsonObject().put("transaction_id", "t").put("amount_minor", 1250).put("currency", "EUR")
            .put("customer_id", null)));
  }
}
