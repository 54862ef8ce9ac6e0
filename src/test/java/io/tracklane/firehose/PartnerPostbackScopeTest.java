package io.tracklane.firehose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Who follows a partner postback's delivery on the event stream. */
class PartnerPostbackScopeTest {

  private static CloudEvent delivered(Long affiliateId) {
    return new CloudEvent("ev_1", EventTypes.PARTNER_POSTBACK_DELIVERED, 7, Instant.EPOCH, new JsonObject()
        .put("delivery_id", "1").put("affiliate_id", affiliateId == null ? null : affiliateId.toString()));
  }

  @Test
  void anAffiliateSeesItsOwnPostbacksDeliveriesOnlyAndTheOwnerSeesAll() {
    assertEquals("1", EventScope.view(delivered(42L), 7, 42L).data().getString("delivery_id"));
    assertNull(EventScope.view(delivered(42L), 7, 43L), "another affiliate's postback");
    assertNull(EventScope.view(delivered(null), 7, 42L), "an owner's webhook");
    assertEquals("ev_1", EventScope.view(delivered(null), 7, null).id());
    assertNull(EventScope.view(delivered(42L), 8, null), "another program");
  }
}
