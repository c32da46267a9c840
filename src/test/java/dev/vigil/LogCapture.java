package dev.vigil;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.vigil.config.LogFormat;
import dev.vigil.telemetry.LogEncoder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Everything Vigil logs while open, as the JSON lines an operator would read (message, key-values
 * and the stack trace of a cause), at {@code level} and above. Closing restores the previous level.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level previous = root.getLevel();
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
          events.add(e);
        }
      };

  public LogCapture(Level level) {
    root.setLevel(level);
    appender.start();
    root.addAppender(appender);
  }

  /**
   * Each event as one line: level, logger, formatted message, key-values, and the cause with its
   * stack.
   */
  public String text() {
    return events.stream().map(LogCapture::line).collect(Collectors.joining("\n"));
  }

  /**
   * Every event as Vigil's log encoder writes it in {@code format} (secrets hidden), one line each.
   */
  public String encoded(LogFormat format) {
    return events.stream().map(e -> LogEncoder.encode(e, format)).collect(Collectors.joining());
  }

  /** Events at ERROR, one line each. */
  public List<String> errors() {
    return events.stream().filter(e -> e.getLevel() == Level.ERROR).map(LogCapture::line).toList();
  }

  /**
   * Errors that are bugs rather than the world failing: the router's "unhandled error", or any
   * error caused by a {@code java.lang} exception (NullPointerException, ClassCastException,
   * ArithmeticException...). A refused connection or a store outage is not in here.
   */
  public List<String> bugs() {
    return events.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .filter(
            e ->
                e.getFormattedMessage().contains("unhandled")
                    || (e.getThrowableProxy() != null
                        && e.getThrowableProxy().getClassName().startsWith("java.lang.")))
        .map(LogCapture::line)
        .toList();
  }

  private static String line(ILoggingEvent e) {
    StringBuilder sb =
        new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
    if (e.getKeyValuePairs() != null) {
      e.getKeyValuePairs()
          .forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
    }
    for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(" cause: ").append(t.getClassName()).append(": ").append(t.getMessage());
      for (var frame : t.getStackTraceElementProxyArray()) {
        sb.append("\n  ").append(frame.getSTEAsString());
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previous);
  }
}
