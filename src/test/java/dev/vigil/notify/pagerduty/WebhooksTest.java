package dev.vigil.notify.pagerduty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.config.Secret;
import dev.vigil.web.BadRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The v3 webhook protocol alone: signatures made here as PagerDuty makes them, and the body read.
 */
class WebhooksTest {
  static final byte[] BODY =
      "{\"event\":{\"id\":\"e1\",\"event_type\":\"incident.acknowledged\"}}"
          .getBytes(StandardCharsets.UTF_8);
  static final List<Secret> SECRETS = List.of(new Secret("new-secret"), new Secret("old-secret"));

  @Test
  void aSignatureFromAnyConfiguredSecretPasses() {
    assertThat(Webhooks.verify(Webhooks.sign("new-secret", BODY), BODY, SECRETS)).isEmpty();
    assertThat(Webhooks.verify(Webhooks.sign("old-secret", BODY), BODY, SECRETS)).isEmpty();
  }

  @Test
  void duringARotationAnyMatchingV1ValuePasses() {
    String header =
        Webhooks.sign("unknown-secret", BODY) + ", " + Webhooks.sign("old-secret", BODY);
    assertThat(Webhooks.verify(header, BODY, SECRETS)).isEmpty();
    assertThat(Webhooks.verify(header, BODY, List.of(new Secret("new-secret"))))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
  }

  @Test
  void aSignatureOfOtherBytesOrUnderAnotherSecretFails() {
    byte[] changed =
        new String(BODY, StandardCharsets.UTF_8)
            .replace("e1", "e2")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(Webhooks.verify(Webhooks.sign("new-secret", BODY), changed, SECRETS))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
    assertThat(Webhooks.verify(Webhooks.sign("guess", BODY), BODY, SECRETS))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
    // the right hex under another scheme name, in capitals, or cut short is not a v1 signature
    String hex = Webhooks.sign("new-secret", BODY).substring(3);
    assertThat(Webhooks.verify("v0=" + hex, BODY, SECRETS))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
    assertThat(Webhooks.verify("v1=" + hex.toUpperCase(), BODY, SECRETS))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
    assertThat(Webhooks.verify("v1=" + hex.substring(1), BODY, SECRETS))
        .contains(Webhooks.Rejection.BAD_SIGNATURE);
  }

  @Test
  void noHeaderIsMissingAndNoSecretRefusesEverything() {
    assertThat(Webhooks.verify(null, BODY, SECRETS)).contains(Webhooks.Rejection.MISSING_SIGNATURE);
    assertThat(Webhooks.verify(" ", BODY, SECRETS)).contains(Webhooks.Rejection.MISSING_SIGNATURE);
    assertThat(Webhooks.verify(Webhooks.sign("new-secret", BODY), BODY, List.of()))
        .contains(Webhooks.Rejection.NOT_CONFIGURED);
  }

  @Test
  void theDocumentedExampleIsRead() {
    Webhooks.Event e =
        Webhooks.parse(
            """
        {"event": {"id": "5ac64822-4adc-4fda-ade0-410becf0de4f", "event_type": "incident.acknowledged",
          "resource_type": "incident", "occurred_at": "2020-10-02T18:45:22.169Z",
          "agent": {"id": "PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
          "client": {"name": "PagerDuty"},
          "data": {"id": "PGR0VU2", "type": "incident", "number": 2, "status": "acknowledged",
                   "incident_key": "INC-7", "title": "A little bump in the road",
                   "assignees": [{"summary": "Jane Doe"}, {"summary": "Bob"}],
                   "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2"}}}
        """
                .getBytes(StandardCharsets.UTF_8));
    assertThat(e)
        .isEqualTo(
            new Webhooks.Event(
                "5ac64822-4adc-4fda-ade0-410becf0de4f",
                "incident.acknowledged",
                "Tenex Engineer",
                "INC-7",
                "PGR0VU2",
                2,
                "",
                List.of("Jane Doe", "Bob"),
                Optional.of(Instant.parse("2020-10-02T18:45:22.169Z"))));
  }

  @Test
  void aNoteNamesItsIncidentByPagerDutysId() {
    Webhooks.Event e =
        Webhooks.parse(
            """
        {"event": {"id": "n1", "event_type": "incident.annotated", "agent": null,
          "data": {"id": "PN1", "type": "incident_note", "content": "rolled back",
                   "incident": {"id": "PGR0VU2", "type": "incident_reference"}}}}
        """
                .getBytes(StandardCharsets.UTF_8));
    assertThat(e.pagerDutyId()).isEqualTo("PGR0VU2");
    assertThat(e.incidentKey()).isEmpty();
    assertThat(e.note()).isEqualTo("rolled back");
    assertThat(e.agent()).isEmpty();
  }

  @Test
  void aBodyThatIsNotAnEventIsRefusedNamingTheField() {
    assertThatThrownBy(() -> Webhooks.parse("{\"event\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BadRequest.class)
        .hasMessageStartingWith("body: ");
    assertThatThrownBy(() -> Webhooks.parse("[1]".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("body: expected a JSON object {\"event\": {...}}, got a list");
    assertThatThrownBy(() -> Webhooks.parse("{\"messages\": []}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("event: expected an object with id, event_type and data, got nothing");
    assertThatThrownBy(
            () ->
                Webhooks.parse(
                    "{\"event\": {\"id\": 7, \"event_type\": \"incident.resolved\"}}"
                        .getBytes(StandardCharsets.UTF_8)))
        .hasMessage("event.id: expected a non-empty string, got a number");
    assertThatThrownBy(
            () -> Webhooks.parse("{\"event\": {\"id\": \"e\"}}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("event.event_type: expected a non-empty string, got nothing");
  }

  @Test
  void readingAnOptionalFieldOfTheWrongTypeGivesItsDefault() {
    assertThat(
            Webhooks.parse(
                "{\"event\": {\"id\": \"e\", \"event_type\": \"x\", \"data\": [1], \"agent\": 3}}"
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Webhooks.Event("e", "x", "", "", "", 0, "", List.of(), Optional.empty()));
  }
}
