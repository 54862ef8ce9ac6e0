package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostbackMacrosTest {

  @Test
  void rendersKnownMacrosUrlEncodedAndLeavesOthers() {
    String out = PostbackMacros.render("https://p.example/cb?c={click_id}&a={amount}&s={sub1}&x={other}&e={sub2}",
        Map.of("click_id", "ab c", "amount", "49.90", "sub1", "a&b=c/é+"));
    assertEquals("https://p.example/cb?c=ab%20c&a=49.90&s=a%26b%3Dc%2F%C3%A9%2B&x={other}&e=", out);
  }

  @Test
  void amountsAreExactDecimalsInMajorUnits() {
    assertEquals("49.90", PostbackMacros.amount(4990L, "EUR"));
    assertEquals("1234", PostbackMacros.amount(1234L, "JPY"));
    assertEquals("1.234", PostbackMacros.amount(1234L, "KWD"));
    assertEquals("-0.05", PostbackMacros.amount(-5L, "USD"));
    assertEquals("92233720368547758.07", PostbackMacros.amount(Long.MAX_VALUE, "EUR"));
    assertEquals(null, PostbackMacros.amount(null, "EUR"));
  }

  @Test
  void signaturesMatchTheStandardWebhooksReference() throws Exception {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    String ours = WebhookSignatures.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ours);
    assertEquals(new com.standardwebhooks.Webhook(secret).sign("msg_1", 1700000000, "{}"),
        WebhookSignatures.sign(secret, "msg_1", 1700000000, "{}"));
  }

  @Test
  void backoffDoublesWithJitterUpToTheCap() {
    RetrySchedule s = new RetrySchedule(Duration.ofSeconds(10), Duration.ofHours(1));
    assertEquals(Duration.ofSeconds(5), s.delay(1, () -> 0.0));
    assertEquals(Duration.ofSeconds(10), s.delay(2, () -> 0.0));
    assertEquals(Duration.ofSeconds(20), s.delay(2, () -> 0.99999999));
    assertEquals(Duration.ofMinutes(30), s.delay(30, () -> 0.0));
    assertEquals(Duration.ofMinutes(30), s.delay(1000, () -> 0.0));
  }

  @Test
  void sealedSecretsOpenOnlyWithTheirKeyAndRow() {
    SecretBox box = new SecretBox(new byte[32]);
    String sealed = box.seal("whsec_abc", "webhook:1:2");
    assertEquals("whsec_abc", box.open(sealed, "webhook:1:2"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> box.open(sealed, "webhook:1:3"));
    byte[] other = new byte[32];
    other[0] = 1;
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new SecretBox(other).open(sealed, "webhook:1:2"));
  }
}
