package dev.vigil.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.LogFormat;
import dev.vigil.config.Secret;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/**
 * Both log formats carry the keys an operator queries by, and neither shows a secret Vigil has
 * read.
 */
class LogEncoderTest {
  static final String PLANTED = "tok-" + Long.toHexString(System.nanoTime()) + "-planted";
  static final Secret SECRET = new Secret(PLANTED); // as the config loader makes it

  static LoggingEvent event(String message, Throwable cause, Object... kvs) {
    Logger logger = new LoggerContext().getLogger("dev.vigil.escalation.Escalator");
    LoggingEvent e = new LoggingEvent("x", logger, Level.WARN, message, cause, null);
    e.setTimeStamp(Instant.parse("2026-12-05T23:10:01.123Z").toEpochMilli());
    e.setThreadName("vert.x-eventloop-thread-1");
    List<KeyValuePair> pairs = new ArrayList<>();
    for (int i = 0; i < kvs.length; i += 2) {
      pairs.add(new KeyValuePair((String) kvs[i], kvs[i + 1]));
    }
    e.setKeyValuePairs(pairs);
    return e;
  }

  @Test
  void textIsTimeLevelMessageThenLogfmtPairs() {
    String line =
        LogEncoder.encode(
            event(
                "escalation: paged sre-eu",
                null,
                "incident",
                "INC-7",
                "team",
                "sre eu",
                "level",
                2,
                "trace_id",
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "reason",
                "said \"no\""),
            LogFormat.TEXT);
    assertThat(line)
        .isEqualTo(
            "2026-12-05T23:10:01.123Z WARN  escalation: paged sre-eu incident=INC-7 team=\"sre eu\" level=2 "
                + "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 reason=\"said \\\"no\\\"\"\n");
  }

  @Test
  void jsonHasAnIsoTimeAndEveryKeyAtTheTop() throws Exception {
    String line =
        LogEncoder.encode(
            event(
                "escalation: paged",
                null,
                "incident",
                "INC-7",
                "team",
                "sre-eu",
                "level",
                2,
                "trace_id",
                "4bf92f",
                "message",
                "clash"),
            LogFormat.JSON);
    assertThat(line).endsWith("}\n").doesNotContain("\n{").doesNotContain("kvpList");
    JsonNode j = new ObjectMapper().readTree(line);
    assertThat(j.get("time").asText()).isEqualTo("2026-12-05T23:10:01.123Z");
    assertThat(j.get("level").asText()).isEqualTo("WARN");
    assertThat(j.get("logger").asText()).isEqualTo("dev.vigil.escalation.Escalator");
    assertThat(j.get("thread").asText()).isEqualTo("vert.x-eventloop-thread-1");
    assertThat(j.get("message").asText()).isEqualTo("escalation: paged");
    assertThat(j.get("incident").asText()).isEqualTo("INC-7");
    assertThat(j.get("team").asText()).isEqualTo("sre-eu");
    assertThat(j.get("level_").asInt())
        .as("a pair named like a fixed key keeps its value under key_")
        .isEqualTo(2);
    assertThat(j.get("message_").asText()).isEqualTo("clash");
    assertThat(j.get("trace_id").asText()).isEqualTo("4bf92f");
  }

  @Test
  void aCauseIsOneValueInTextAndErrorPlusStackInJson() throws Exception {
    Exception cause = new IllegalStateException("store is gone", new IOException("disk full"));
    String text =
        LogEncoder.encode(event("ingest: commit failed", cause, "alerts", 10), LogFormat.TEXT);
    assertThat(text)
        .startsWith(
            "2026-12-05T23:10:01.123Z WARN  ingest: commit failed alerts=10 error=\"java.lang.IllegalStateException: store is gone\"\n\tat ")
        .contains("\tCaused by: java.io.IOException: disk full");
    JsonNode j =
        new ObjectMapper()
            .readTree(
                LogEncoder.encode(
                    event("ingest: commit failed", cause, "alerts", 10), LogFormat.JSON));
    assertThat(j.get("alerts").asInt()).isEqualTo(10);
    assertThat(j.get("error").asText()).isEqualTo("java.lang.IllegalStateException: store is gone");
    assertThat(j.get("stack").asText())
        .contains("at dev.vigil.telemetry.LogEncoderTest")
        .contains("Caused by: java.io.IOException: disk full");
  }

  @Test
  void aPlantedSecretAppearsInNeitherFormat() {
    LoggingEvent e =
        event(
            "http step: GET https://api.example/v1?token=" + PLANTED + " failed",
            new RuntimeException("401 for " + PLANTED),
            "command",
            "curl -H 'X-Token: " + PLANTED + "'",
            "url",
            "https://x/?t=" + URLEncoder.encode(PLANTED, StandardCharsets.UTF_8));
    for (LogFormat f : List.of(LogFormat.TEXT, LogFormat.JSON)) {
      String line = LogEncoder.encode(e, f);
      assertThat(line)
          .as(f.wire())
          .doesNotContain(PLANTED)
          .contains("token=***")
          .contains("401 for ***")
          .contains("X-Token: ***");
    }
    assertThat(SECRET.reveal()).isEqualTo(PLANTED);
  }

  @Test
  void aShortSecretIsNotSearchedForSoOrdinaryWordsSurvive() {
    new Secret("on");
    assertThat(LogEncoder.encode(event("escalation: on call now", null), LogFormat.TEXT))
        .contains("on call now");
  }

  @Test
  void logfmtQuotesOnlyWhatNeedsIt() {
    StringBuilder sb = new StringBuilder();
    LogEncoder.logfmtValue(sb, "");
    sb.append(' ');
    LogEncoder.logfmtValue(sb, "a=b");
    sb.append(' ');
    LogEncoder.logfmtValue(sb, "line\nbreak");
    sb.append(' ');
    LogEncoder.logfmtValue(sb, "plain/value:1");
    assertThat(sb).hasToString("\"\" \"a=b\" \"line\\nbreak\" plain/value:1");
  }
}
