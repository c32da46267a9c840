package dev.vigil.fake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fake's Block Kit check refuses what Slack refuses, so a test cannot pass on blocks Slack
 * would reject.
 */
class SlackBlocksTest {
  static final String BUTTON =
      "{\"type\": \"button\", \"text\": {\"type\": \"plain_text\", \"text\": \"Approve\"}, \"action_id\": \"approve\", "
          + "\"value\": \"RUN-1\", \"style\": \"primary\"}";

  @Test
  void acceptsWhatVigilSends() {
    assertThat(
            SlackBlocks.errors(
                "[{\"type\": \"section\", \"text\": {\"type\": \"mrkdwn\", \"text\": \"*hi*\"}}, "
                    + "{\"type\": \"actions\", \"elements\": ["
                    + BUTTON
                    + "]}]"))
        .isEmpty();
    assertThat(
            SlackBlocks.errors(
                "[{\"type\": \"section\", \"fields\": [{\"type\": \"mrkdwn\", \"text\": \"*a*\"}]}]"))
        .isEmpty();
    assertThat(SlackBlocks.errors(null)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[{\"type\": \"table\"}]|unsupported type `table` [json-pointer:/blocks/0/type]",
        "[{\"type\": \"section\", \"text\": {\"type\": \"mrkdwn\", \"text\": \"\"}}]|must be between 1 and 3000 characters [json-pointer:/blocks/0/text/text]",
        "[{\"type\": \"header\", \"text\": {\"type\": \"mrkdwn\", \"text\": \"x\"}}]|must be a text object of type plain_text [json-pointer:/blocks/0/text]",
        "[{\"type\": \"actions\", \"elements\": []}]|must have between 1 and 25 elements [json-pointer:/blocks/0/elements]",
        "[{\"type\": \"actions\", \"elements\": [BUTTON, BUTTON]}]|action_id missing, too long or repeated [json-pointer:/blocks/0/elements/1/action_id]",
        "[{\"type\": \"actions\", \"elements\": [{\"type\": \"button\", \"text\": {\"type\": \"plain_text\", \"text\": \"x\"}, \"action_id\": \"a\", \"style\": \"green\"}]}]|must be primary or danger [json-pointer:/blocks/0/elements/0/style]",
        "{}|blocks is not a JSON array",
        "[{\"type\": \"section\"}]|must provide text or fields [json-pointer:/blocks/0]",
        "[{\"type\": \"section\", \"fields\": [{\"type\": \"button\"}]}]|must be a text object of type plain_text or mrkdwn [json-pointer:/blocks/0/fields/0]",
      })
  void refusesWhatSlackRefuses(String blocks, String error) {
    assertThat(SlackBlocks.errors(blocks.replace("BUTTON", BUTTON))).containsExactly(error);
  }

  @Test
  void refusesASectionLongerThanSlackAllows() {
    String text = "x".repeat(3001);
    assertThat(
            SlackBlocks.errors(
                "[{\"type\": \"section\", \"text\": {\"type\": \"mrkdwn\", \"text\": \""
                    + text
                    + "\"}}]"))
        .containsExactly(
            "must be between 1 and 3000 characters [json-pointer:/blocks/0/text/text]");
  }
}
