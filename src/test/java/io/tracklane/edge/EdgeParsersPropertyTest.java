package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tracklane.domain.Destinations;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Money;
import io.tracklane.http.HttpError;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the parsers every request goes through: whatever the input, they either answer or refuse
 * with a 4xx (HttpError or InvalidInput), never another exception (which would be a 500).
 */
class EdgeParsersPropertyTest {

  @Property(tries = 20000)
  void postbackParsingRefusesWith4xxOrAnswers(@ForAll("methods") String method, @ForAll("contentTypes") String type,
      @ForAll("queries") String query, @ForAll("bodies") String body) {
    try {
      PostbackRequest pb = PostbackRequest.parse(method, type, null, query, Buffer.buffer(body));
      assertFalse(pb.transactionId().isEmpty());
    } catch (HttpError e) {
      assertEquals(400, e.status(), e.getMessage());
    } catch (InvalidInput e) {
      assertFalse(e.field().isEmpty());
    }
  }

  /** The body of POST /c.json (tracklane.js's conversions): fields or a 400, nothing else. */
  @Property(tries = 10000)
  void clientConversionBodiesRefuseWith400OrAnswer(@ForAll("bodies") String body) {
    try {
      Map<String, String> fields = BrowserHandler.fields(Buffer.buffer(body));
      assertFalse(fields.values().stream().anyMatch(v -> v.indexOf('\0') >= 0));
      PostbackRequest.fromFields(new HashMap<>(fields));
    } catch (HttpError e) {
      assertEquals(400, e.status(), e.getMessage());
    } catch (InvalidInput e) {
      assertFalse(e.field().isEmpty());
    }
  }

  @Property(tries = 10000)
  void redirectQueryDecodingRefusesWith400OrAnswers(@ForAll("queries") String query) {
    try {
      QueryStrings.decode(query, "query string");
    } catch (HttpError e) {
      assertEquals(400, e.status());
    }
  }

  @Property(tries = 20000)
  void noSubValueChangesWhereTheRedirectGoes(@ForAll("hostile") String sub1, @ForAll("hostile") String source) {
    Map<String, String> values = new HashMap<>();
    values.put("click_id", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    values.put("sub1", sub1);
    values.put("source", source);
    String url = Destinations.build("https://shop.example/{sub1}/x?s={source}#{sub1}", values);
    if (url != null) {
      assertEquals("shop.example", URI.create(url).getHost());
      assertFalse(url.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\'), url);
    }
  }

  @Property(tries = 10000)
  void amountsAreExactOrRefused(@ForAll("amounts") String amount, @ForAll("currencies") String currency) {
    try {
      Money money = Money.parse(amount, currency);
      assertEquals(new java.math.BigDecimal(amount).compareTo(
          java.math.BigDecimal.valueOf(money.minor(), io.tracklane.domain.Currencies.minorDigits(currency))), 0);
    } catch (InvalidInput e) {
      assertFalse(e.field().isEmpty());
    }
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "POST");
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.oneOf(Arbitraries.of("application/json", "application/x-www-form-urlencoded",
        "application/json; charset=utf-8", "text/plain", "", "multipart/form-data"), Arbitraries.strings().ofMaxLength(20))
        .injectNull(0.1);
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> names = Arbitraries.of("transaction_id", "amount", "currency", "event", "click_id", "coupon",
        "customer_id", "customer_email", "token", "sub1", "x", "%", "%zz", "a=b", "");
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
        Arbitraries.of("1e3", "-1", "NaN", "49.90", "0.001", "99999999999999999999999", "EUR", "JPY", "BHD", "sale",
            "lead", "%0d%0a", "%", "%E2%82", "+", "&&", "=="));
    Arbitrary<String> pair = Arbitraries.oneOf(names.map(n -> n),
        names.flatMap(n -> values.map(v -> n + "=" + v)));
    return pair.list().ofMaxSize(12).map(list -> String.join("&", list)).injectNull(0.05);
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> json = Arbitraries.of("{}", "[]", "null", "1", "\"x\"", "{\"transaction_id\":\"t1\",\"amount\":1e3,"
        + "\"customer_id\":\"c\"}", "{\"transaction_id\":\"t1\",\"amount\":\"12.5\",\"customer_id\":\"c\"}",
        "{\"transaction_id\":5,\"amount\":\"1\",\"click_id\":\"x\",\"extra\":1}",
        "{\"transaction_id\":{\"a\":1},\"customer_id\":[1]}", "{\"transaction_id\":\"t\",\"customer_id\":\"c\","
            + "\"amount\":\"1.234\",\"currency\":\"bhd\"}", "{\"a\":", "\u0000\uFFFF");
    return Arbitraries.oneOf(json, queries().map(q -> q == null ? "" : q), Arbitraries.strings().ofMaxLength(200));
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300),
        Arbitraries.of("//evil.example", "https://good.example@evil.example", "\\\\evil", "javascript:alert(1)",
            "\r\nLocation: https://evil.example", "@evil.example", "/../", "%2F%2Fevil", "\u2028", "?#@:"))
        .injectNull(0.05);
  }

  @Provide
  Arbitrary<String> amounts() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789.-+eE,NaI ").ofMaxLength(30),
        Arbitraries.bigDecimals().between(java.math.BigDecimal.ZERO, new java.math.BigDecimal("1e16"))
            .ofScale(3).map(java.math.BigDecimal::toPlainString));
  }

  @Provide
  Arbitrary<String> currencies() {
    return Arbitraries.of("EUR", "JPY", "BHD", "USD", "KWD", "CLF", "XXX", "XAU");
  }

  @Example
  void jsonNumbersAreRefusedForAmounts() {
    for (String number : new String[] {"1e3", "49.9", "10", "-1", "1E+2"}) {
      String body = "{\"transaction_id\":\"t\",\"customer_id\":\"c\",\"amount\":" + number + "}";
      HttpError e = org.junit.jupiter.api.Assertions.assertThrows(HttpError.class,
          () -> PostbackRequest.parse("POST", "application/json", null, null, Buffer.buffer(body)));
      assertEquals("amount must be a JSON string like \"49.90\"", e.getMessage());
    }
  }
}
