package io.tracklane.testing;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A whole engine for one ledger test class, with the due job fast and payouts on demand, and the
 * {@link Facts} to talk to it: {@code @RegisterExtension static final LedgerEngine ledger = new LedgerEngine();}.
 */
public final class LedgerEngine implements BeforeAllCallback, AfterAllCallback {
  /** How long a test waits for the ledger to catch up. */
  public static final Duration WAIT = Duration.ofSeconds(30);
  private TestEngine engine;
  private Facts facts;

  @Override
  public void beforeAll(ExtensionContext context) {
    engine = TestEngine.start(context.getRequiredTestClass(), Map.of("ledger.due_job_ms", "200",
        "ledger.payout_job_ms", "0"));
    facts = new Facts(engine);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    facts.close();
    engine.close();
  }

  public TestEngine engine() {
    return engine;
  }

  public Facts facts() {
    return facts;
  }
}
