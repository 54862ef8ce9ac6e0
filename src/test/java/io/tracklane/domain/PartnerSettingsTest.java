package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartnerSettingsTest {
  @Test
  void emailNeedsOneAtAndADottedDomain() {
    for (String ok : new String[] {"jane@example.com", "j.doe+pay@mail.example.co.uk", "x@a.io"}) {
      assertTrue(PartnerSettings.isEmail(ok), ok);
    }
    for (String bad : new String[] {"", "jane", "jane@", "@example.com", "jane@example", "jane@@example.com",
        "ja ne@example.com", "jane@example.com\n", "jane@.com", "jane@example.", "a@b@c.com",
        "x".repeat(320) + "@example.com"}) {
      assertFalse(PartnerSettings.isEmail(bad), bad);
    }
    assertFalse(PartnerSettings.isEmail(null));
  }

  @Test
  void timeZoneIsATzDatabaseNameSpeltExactly() {
    assertEquals(Optional.of(ZoneId.of("Asia/Kathmandu")), PartnerSettings.timeZone("Asia/Kathmandu"));
    assertEquals(Optional.of(ZoneId.of("Pacific/Chatham")), PartnerSettings.timeZone("Pacific/Chatham"));
    assertEquals(Optional.of(ZoneId.of("UTC")), PartnerSettings.timeZone("UTC"));
    for (String bad : new String[] {"", "asia/kathmandu", "Mars/Olympus", "+05:45", "UTC+2", "GMT+02:00", "Z",
        " Europe/Berlin", "Europe/Berlin "}) {
      assertTrue(PartnerSettings.timeZone(bad).isEmpty(), bad);
    }
    assertTrue(PartnerSettings.timeZone(null).isEmpty());
  }

  @Test
  void theAffiliatesZoneWinsOverTheProgramsWhenSet() {
    assertEquals(ZoneId.of("Asia/Kolkata"), PartnerSettings.effectiveZone("Asia/Kolkata", "Europe/Paris"));
    assertEquals(ZoneId.of("Europe/Paris"), PartnerSettings.effectiveZone(null, "Europe/Paris"));
  }
}
