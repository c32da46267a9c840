package dev.vigil;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.vigil.config.LogFormat;
import dev.vigil.telemetry.LogEncoder;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps the build output readable: the tests' logs go to a file under {@code target/test-logs/}
 * (src/test/resources/logback-test.xml), and this extension, registered for every test class
 * through the JUnit service loader, prints what was logged during a test (or a class's set-up) when
 * it fails.
 */
public final class TestLogs
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  /** Lines kept for one test: the last ones, which are the ones near the failure. */
  static final int KEPT = 3_000;

  private static final Deque<String> recent = new ArrayDeque<>();

  /**
   * The logback appender (named in logback-test.xml) that keeps the current test's lines in memory.
   */
  public static final class Recent extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent e) {
      String line = LogEncoder.encode(e, LogFormat.TEXT);
      synchronized (recent) {
        if (recent.size() == KEPT) {
          recent.removeFirst();
        }
        recent.addLast(line);
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    clear();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    context
        .getExecutionException()
        .ifPresent(
            e ->
                show(
                    context.getDisplayName()
                        + " in "
                        + context.getRequiredTestClass().getSimpleName()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    context.getExecutionException().ifPresent(e -> show(context.getDisplayName()));
  }

  private static void clear() {
    synchronized (recent) {
      recent.clear();
    }
  }

  private static void show(String what) {
    StringBuilder sb = new StringBuilder();
    synchronized (recent) {
      sb.append("---- Vigil's log during ")
          .append(what)
          .append(" (")
          .append(recent.size())
          .append(" lines; all tests' logs are in target/test-logs/) ----\n");
      recent.forEach(sb::append);
      recent.clear();
    }
    sb.append("---- end of log ----");
    System.err.println(sb);
  }
}
