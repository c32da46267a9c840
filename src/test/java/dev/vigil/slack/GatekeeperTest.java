package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** chatops.allow, decided without Vert.x: the group lookups here complete at once. */
class GatekeeperTest {
  static final Map<String, List<String>> ALLOW =
      Map.of(
          "resolve", List.of("ULEAD", "S0ONCALL"),
          "override", List.of("S0LEADS", "S0BROKEN"),
          "run", List.of());
  static final UserGroups GROUPS =
      id ->
          switch (id) {
            case "S0ONCALL" -> Future.succeededFuture(Set.of("UONCALL"));
            case "S0LEADS" -> Future.succeededFuture(Set.of("UBOSS"));
            default -> Future.failedFuture(new IllegalStateException("Slack said missing_scope"));
          };
  final Gatekeeper gate = new Gatekeeper(ALLOW, GROUPS);

  /** The verdict as text: "ok" or the refusal. */
  String verdict(Future<Void> f) {
    assertThat(f.isComplete()).isTrue();
    return f.succeeded() ? "ok" : f.cause().getMessage();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("ack", "UANY", "ok"), // not restricted
        Arguments.of("approve", "UANY", "ok"), // not listed: everyone
        Arguments.of("resolve", "ULEAD", "ok"),
        Arguments.of("resolve", "UONCALL", "ok"),
        Arguments.of(
            "resolve",
            "UANY",
            "<@UANY> may not resolve from Slack: chatops.allow.resolve lets only the listed users and members"
                + " of <!subteam^S0ONCALL> do it. Ask a lead to add you."),
        Arguments.of(
            "override", "UBOSS", "ok"), // found in the first group; the broken one is not asked
        Arguments.of(
            "override",
            "UANY",
            "<@UANY> may not override from Slack: chatops.allow.override lets only the listed users and"
                + " members of <!subteam^S0LEADS>, <!subteam^S0BROKEN> do it. Ask a lead to add you; membership of S0BROKEN"
                + " (Slack said missing_scope) could not be checked."),
        Arguments.of("run", "ULEAD", "nobody may run from Slack: chatops.allow.run is empty"));
  }

  @ParameterizedTest(name = "{0} by {1}")
  @MethodSource("cases")
  void decides(String action, String user, String expected) {
    assertThat(verdict(gate.check(action, new Actor(user)))).isEqualTo(expected);
  }

  @Test
  void anApprovalStepsOwnApproversUseTheSameRules() {
    List<String> approvers = List.of("U012ABC", "S0ONCALL");
    assertThat(
            verdict(
                gate.among(
                    approvers, new Actor("UONCALL"), "approve", "the approvers of step confirm")))
        .isEqualTo("ok");
    assertThat(
            verdict(
                gate.among(
                    approvers, new Actor("UANY"), "approve", "the approvers of step confirm")))
        .startsWith("<@UANY> may not approve from Slack: the approvers of step confirm lets only");
  }
}
