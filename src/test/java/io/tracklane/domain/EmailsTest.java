package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EmailsTest {
  @Test
  void maskKeepsTheFirstCharacterAndTheDomain() {
    String[][] cases = {
        {"jane@example.com", "j***@example.com"},
        {"j@example.com", "j***@example.com"},
        {"Jane.Doe+tag@mail.example.co.uk", "J***@mail.example.co.uk"},
        {"odd@name@example.com", "o***@example.com"},
        {"no-at-sign", "***"},
        {"@example.com", "***"},
        {"jane@", "***"},
        {"", "***"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], Emails.mask(c[0]), c[0]);
    }
    assertNull(Emails.mask(null));
  }
}
