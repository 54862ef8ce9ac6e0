package io.tracklane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.config.AppConfig.Role;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  @Test
  void defaultsAreValidAndRunEveryRole() {
    AppConfig config = AppConfig.from(ConfigSource.load(Map.of(), Map.of()));
    assertEquals(Set.of(Role.EDGE, Role.API, Role.LEDGER, Role.WEBHOOKS), config.roles());
    assertEquals(8080, config.http().edgePort());
    assertEquals("tracklane.facts", config.kafka().topicFacts());
    assertEquals(1, config.clickId().currentKeyId());
  }

  @Test
  void environmentVariablesOverrideKeys() {
    AppConfig config = AppConfig.from(ConfigSource.load(
        Map.of("TRACKLANE_HTTP_EDGE_PORT", "9999", "TRACKLANE_ROLES", "ledger", "PATH", "/bin"), Map.of()));
    assertEquals(9999, config.http().edgePort());
    assertEquals(Set.of(Role.LEDGER), config.roles());
  }

  @Test
  void everyProblemIsListedAtOnce() {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(ConfigSource.load(Map.of(),
        Map.of("http.edge_port", "eighty", "roles", "edge,billing", "postgres.schema", "Bad-Name",
            "kafka.partitions", "0", "click_id.current_key_id", "9"))));
    assertEquals(5, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("http.edge_port must be a whole number"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown role 'billing'"), e.getMessage());
    assertTrue(e.getMessage().contains("click_id.current_key_id 9 is not among click_id.keys"), e.getMessage());
  }

  @Test
  void aMistypedVariableIsAnErrorNotSilentlyIgnored() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigSource.load(Map.of("TRACKLANE_HTTP_EDGEPORT", "1"), Map.of()));
    assertTrue(e.getMessage().contains("TRACKLANE_HTTP_EDGEPORT does not name a configuration key"));
  }

  @Test
  void replicationFactorDefaultsToOneAndIsBounded() {
    assertEquals(1, AppConfig.from(ConfigSource.load(Map.of(), Map.of())).kafka().replicationFactor());
    assertEquals(3, AppConfig.from(ConfigSource.load(Map.of("TRACKLANE_KAFKA_REPLICATION_FACTOR", "3"), Map.of()))
        .kafka().replicationFactor());
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(ConfigSource.load(Map.of(),
        Map.of("kafka.replication_factor", "0"))));
    assertTrue(e.getMessage().contains("kafka.replication_factor must be between 1 and 32"), e.getMessage());
  }

  @Test
  void apiLimitsDefaultToTheSeedsAndTrustedProxiesTakeRanges() {
    AppConfig config = AppConfig.from(ConfigSource.load(Map.of("TRACKLANE_EDGE_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
        Map.of()));
    assertEquals(45, config.api().rateLimitRequests());
    assertEquals(30, config.api().rateLimitWindowSeconds());
    assertEquals(20, config.api().authFailureLimit());
    assertTrue(config.edge().trustedProxies().contains("10.1.2.3"));
    assertTrue(config.edge().trustedProxies().contains("::1"));
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(ConfigSource.load(Map.of(),
        Map.of("edge.trusted_proxies", "lb.internal", "api.rate_limit.requests", "0"))));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("edge.trusted_proxies entry 'lb.internal' is not an IP address or CIDR range"),
        e.getMessage());
  }

  @Test
  void variableNamesFollowTheKeyPath() {
    assertEquals("TRACKLANE_KAFKA_BOOTSTRAP_SERVERS", ConfigSource.envName("kafka.bootstrap_servers"));
  }

  @Test
  void shortClickIdKeysAreRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(ConfigSource.load(Map.of(),
        Map.of("click_id.keys", "1:c2hvcnQ"))));
    assertTrue(e.getMessage().contains("at least 16 secret bytes"), e.getMessage());
  }

  @Test
  void theDevelopmentClickIdKeyIsRecognisedEvenAmongOthers() {
    assertTrue(AppConfig.from(ConfigSource.load(Map.of(), Map.of())).clickId().hasDevelopmentKey());
    String dev = ConfigSource.load(Map.of(), Map.of()).get("click_id.keys");
    String own = "2:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    assertTrue(AppConfig.from(ConfigSource.load(Map.of("TRACKLANE_CLICK_ID_KEYS", own + "," + dev), Map.of()))
        .clickId().hasDevelopmentKey());
    assertFalse(AppConfig.from(ConfigSource.load(Map.of("TRACKLANE_CLICK_ID_KEYS", own,
        "TRACKLANE_CLICK_ID_CURRENT_KEY_ID", "2"), Map.of())).clickId().hasDevelopmentKey());
  }
}
