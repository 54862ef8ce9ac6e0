package io.tracklane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the demo command creates is in the audit log, as made by the command line, with no key or address. */
@Timeout(60)
class DemoAuditTest {
  private static TestEngine engine;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(DemoAuditTest.class);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void everyThingTheDemoCreatesIsAuditedAsTheDemos() {
    String banner = TestEngine.await(Cli.createDemo(engine.config(), engine.engine().pool()));
    Matcher id = Pattern.compile("program id\\s+(\\d+)").matcher(banner);
    assertTrue(id.find(), banner);
    long programId = Long.parseLong(id.group(1));

    List<Map<String, Object>> entries = Sql.query(engine, "SELECT action, entity_type, actor_key_id, actor_label, ip,"
        + " after->>'role' AS role FROM audit_log WHERE program_id = ? ORDER BY id", programId);
    assertEquals(List.of("program.created", "api_key.created", "campaign.created", "affiliate.enrolled",
        "link.created", "api_key.created"), entries.stream().map(e -> e.get("action")).toList());
    assertEquals("admin", entries.get(1).get("role"));
    assertEquals("affiliate", entries.get(5).get("role"));
    for (Map<String, Object> e : entries) {
      assertEquals("command line: demo", e.get("actor_label"));
      assertNull(e.get("actor_key_id"));
      assertNull(e.get("ip"));
    }
  }
}
