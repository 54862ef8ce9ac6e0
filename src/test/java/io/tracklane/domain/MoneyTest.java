package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoneyTest {

  @ParameterizedTest(name = "{0} {1} is {2} minor units")
  @CsvSource({
      "49.90, EUR, 4990",
      "49.9, EUR, 4990",
      "0.01, EUR, 1",
      "1500, JPY, 1500",
      "1.500, BHD, 1500",
      "0.001, BHD, 1",
      "12.50, USD, 1250",
      "1.0, JPY, 1",
  })
  void parsesDecimalsExactlyInTheCurrencysMinorUnits(String decimal, String currency, long minor) {
    assertEquals(Money.of(minor, currency), Money.parse(decimal, currency));
  }

  @ParameterizedTest(name = "{0} {1} is rejected")
  @CsvSource({
      "-1.00, EUR, amount",
      "1.001, EUR, amount",
      "1.5, JPY, amount",
      "1e3, EUR, amount",
      "NaN, EUR, amount",
      "'', EUR, amount",
      "1.00, EURO, currency",
      "1.00, XXX, currency",
      "1.00, ZZZ, currency",
      "10000000000000000000, EUR, amount",
  })
  void rejectsWhatIsNotAnExactAmountNamingTheField(String decimal, String currency, String field) {
    InvalidInput e = assertThrows(InvalidInput.class, () -> Money.parse(decimal, currency));
    assertEquals(field, e.field());
  }

  @ParameterizedTest(name = "{1}% of {0} is {2}")
  @CsvSource({
      "3333, 12.5, 417",
      "1000, 15, 150",
      "5, 10, 0",
      "15, 10, 2",
      "25, 10, 2",
      "35, 10, 4",
      "4990, 10, 499",
      "1, 50, 0",
      "3, 50, 2",
      "0, 30, 0",
  })
  void percentRoundsHalfEvenToTheMinorUnit(long minor, String percent, long expected) {
    assertEquals(expected, Money.of(minor, "EUR").percent(new BigDecimal(percent)).minor());
  }

  @Property(tries = 500)
  void percentMatchesExactArithmeticRoundedHalfEven(@ForAll @LongRange(min = 0, max = 10_000_000_000L) long minor,
      @ForAll @IntRange(min = 0, max = 1_000_000) int percentTenThousandths) {
    BigDecimal percent = BigDecimal.valueOf(percentTenThousandths, 4);
    BigDecimal exact = BigDecimal.valueOf(minor).multiply(percent).divide(BigDecimal.valueOf(100));
    long expected = exact.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    assertEquals(expected, Money.of(minor, "USD").percent(percent).minor());
  }

  @Property(tries = 300)
  void decimalStringRoundTrips(@ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long minor) {
    for (String currency : new String[] {"JPY", "EUR", "BHD"}) {
      Money money = Money.of(minor, currency);
      assertEquals(money, Money.parse(money.toDecimalString(), currency));
    }
  }
}
