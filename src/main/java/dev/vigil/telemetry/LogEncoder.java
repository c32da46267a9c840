package dev.vigil.telemetry;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.config.LogFormat;
import dev.vigil.config.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * Vigil's log lines, in the format {@code log.format} asks for, with every secret value Vigil has
 * read replaced by {@code ***} wherever it appears (message, values, exception text).
 *
 * <p>Text, for a person at a terminal: {@code 2026-12-05T23:10:01.123Z INFO message key=value
 * key="two words"}, then an indented stack trace if the line has a cause. JSON, for Loki or
 * Elasticsearch: one object per line, {@code
 * {"time":"2026-12-05T23:10:01.123Z","level":"INFO","logger":...,"thread":...,"message":...}}, with
 * each key-value pair (incident, team, run, trace_id, ...) as a top-level key, and {@code error}
 * and {@code stack} for a cause. A pair whose key is one of those fixed names is written with a
 * trailing underscore ({@code message_}).
 *
 * <p>The format is process-wide: logback builds this encoder from logback.xml before the config is
 * read, and {@code vigil serve} then {@link #use sets} the configured format. Thread-safe.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NOTHING = new byte[0];
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> FIXED =
      Set.of("time", "level", "logger", "thread", "message", "error", "stack");
  private static final String MASK = "***";

  /** What {@code auto} became, or the format the system property {@code vigil.log.format} names. */
  private static volatile LogFormat current =
      resolve(
          LogFormat.valueOf(
              System.getProperty("vigil.log.format", "auto").toUpperCase(Locale.ROOT)));

  /**
   * Sets the format of every line from now on; {@code auto} is text on a terminal and JSON
   * otherwise.
   */
  public static void use(LogFormat format) {
    current = resolve(format);
  }

  /** The format in use: {@link LogFormat#TEXT} or {@link LogFormat#JSON}, never {@code AUTO}. */
  public static LogFormat current() {
    return current;
  }

  static LogFormat resolve(LogFormat f) {
    return f != LogFormat.AUTO ? f : System.console() != null ? LogFormat.TEXT : LogFormat.JSON;
  }

  @Override
  public byte[] headerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] footerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    return encode(e, current).getBytes(StandardCharsets.UTF_8);
  }

  /** One event as a line (ending in a newline) in {@code format}, secrets hidden. */
  public static String encode(ILoggingEvent e, LogFormat format) {
    return format == LogFormat.JSON ? json(e) : text(e);
  }

  private static String text(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(160);
    sb.append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.getTimeStamp())))
        .append(' ');
    String level = e.getLevel().toString();
    sb.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    sb.append(redact(e.getFormattedMessage()));
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        sb.append(' ').append(kv.key).append('=');
        logfmtValue(sb, redact(String.valueOf(kv.value)));
      }
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      sb.append(" error=");
      logfmtValue(sb, redact(t.getClassName() + ": " + t.getMessage()));
      sb.append('\n').append(redact(stack(t, "\t")));
    }
    return sb.append('\n').toString();
  }

  /**
   * A logfmt value: bare when it has no space, quote, equals sign or control character; quoted
   * otherwise.
   */
  static void logfmtValue(StringBuilder sb, String v) {
    boolean bare = !v.isEmpty();
    for (int i = 0; i < v.length() && bare; i++) {
      char c = v.charAt(i);
      bare = c > ' ' && c != '"' && c != '=' && c != '\\' && c != 0x7f;
    }
    if (bare) {
      sb.append(v);
      return;
    }
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < ' ') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static String json(ILoggingEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(
          "time", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.getTimeStamp())));
      g.writeStringField("level", e.getLevel().toString());
      g.writeStringField("logger", e.getLoggerName());
      g.writeStringField("thread", e.getThreadName());
      g.writeStringField("message", redact(e.getFormattedMessage()));
      if (e.getKeyValuePairs() != null) {
        for (KeyValuePair kv : e.getKeyValuePairs()) {
          String key = FIXED.contains(kv.key) ? kv.key + "_" : kv.key;
          if (kv.value instanceof Number n
              && !(kv.value instanceof Double d && !Double.isFinite(d))) {
            g.writeFieldName(key);
            g.writeNumber(n.toString());
          } else if (kv.value instanceof Boolean b) {
            g.writeBooleanField(key, b);
          } else {
            g.writeStringField(key, redact(String.valueOf(kv.value)));
          }
        }
      }
      IThrowableProxy t = e.getThrowableProxy();
      if (t != null) {
        g.writeStringField("error", redact(t.getClassName() + ": " + t.getMessage()));
        g.writeStringField("stack", redact(stack(t, "")));
      }
      g.writeEndObject();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return out.toString(StandardCharsets.UTF_8) + "\n";
  }

  /** The cause chain with its frames, one per line, each starting with {@code indent}. */
  private static String stack(IThrowableProxy t, String indent) {
    StringBuilder sb = new StringBuilder();
    for (IThrowableProxy c = t; c != null; c = c.getCause()) {
      if (c != t) {
        sb.append(indent)
            .append("Caused by: ")
            .append(c.getClassName())
            .append(": ")
            .append(c.getMessage())
            .append('\n');
      }
      StackTraceElementProxy[] frames = c.getStackTraceElementProxyArray();
      int shown = frames.length - c.getCommonFrames();
      for (int i = 0; i < shown; i++) {
        sb.append(indent).append("at ").append(frames[i].getStackTraceElement()).append('\n');
      }
      if (c.getCommonFrames() > 0) {
        sb.append(indent).append("... ").append(c.getCommonFrames()).append(" more\n");
      }
    }
    return sb.length() > 0 ? sb.substring(0, sb.length() - 1) : "";
  }

  /** {@code s} with every secret value Vigil has read replaced by {@code ***}. */
  static String redact(String s) {
    if (s == null) {
      return "";
    }
    for (String secret : Secret.everyValue()) {
      if (s.contains(secret)) {
        s = s.replace(secret, MASK);
      }
    }
    return s;
  }
}
