package dev.vigil.runbook;

import dev.vigil.config.Durations;
import dev.vigil.expr.Values;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a step would do with every template filled in: the exact request, argv or message. A dry run
 * records these; the engine performs them. {@link #summary()} is one line for people.
 */
public sealed interface RenderedAction {

  String summary();

  /**
   * @param body null, a String (sent as text) or a plain JSON value (sent as JSON)
   */
  record HttpCall(
      String method,
      String url,
      Map<String, String> headers,
      Object body,
      List<Integer> expectStatus)
      implements RenderedAction {
    @Override
    public String summary() {
      String b =
          body == null
              ? ""
              : " body " + (body instanceof String s ? Values.json(s) : Values.json(body));
      return method + " " + url + (headers.isEmpty() ? "" : " headers " + Values.json(headers)) + b;
    }
  }

  record Command(
      List<String> argv,
      Map<String, String> env,
      Optional<String> workdir,
      List<Integer> okExitCodes)
      implements RenderedAction {
    /** The argv as a JSON list, so that each element's boundaries are visible. */
    @Override
    public String summary() {
      return "exec "
          + Values.json(argv)
          + (env.isEmpty() ? "" : " env " + Values.json(env))
          + workdir.map(w -> " in " + w).orElse("");
    }
  }

  record Pause(Duration duration) implements RenderedAction {
    @Override
    public String summary() {
      return "wait " + Durations.format(duration);
    }
  }

  record Poll(HttpCall request, String until, Duration interval, Duration timeout)
      implements RenderedAction {
    @Override
    public String summary() {
      return "check "
          + request.summary()
          + " every "
          + Durations.format(interval)
          + " until "
          + until
          + " (at most "
          + Durations.format(timeout)
          + ")";
    }
  }

  record Message(Optional<String> channel, String text) implements RenderedAction {
    @Override
    public String summary() {
      return "slack " + channel.orElse("(team channel)") + ": " + Values.json(text);
    }
  }

  /**
   * @param team the team whose routing key is paged; empty: the incident's team
   */
  record Page(
      String action, Optional<String> summaryText, Optional<String> severity, Optional<String> team)
      implements RenderedAction {
    @Override
    public String summary() {
      return "pagerduty "
          + action
          + team.map(t -> " to team " + t).orElse("")
          + severity.map(s -> " " + s).orElse("")
          + summaryText.map(s -> ": " + Values.json(s)).orElse("");
    }
  }

  record IncidentAction(String action, Optional<String> text) implements RenderedAction {
    @Override
    public String summary() {
      return "incident " + action + text.map(t -> ": " + Values.json(t)).orElse("");
    }
  }

  record ApprovalRequest(String text, List<String> approvers, Optional<Duration> timeout)
      implements RenderedAction {
    @Override
    public String summary() {
      return "approval "
          + Values.json(text)
          + " by "
          + (approvers.isEmpty() ? "anyone on the active team" : String.join(", ", approvers))
          + timeout.map(t -> " within " + Durations.format(t)).orElse("");
    }
  }
}
