package dev.vigil.runbook;

import dev.cel.common.types.CelType;
import dev.vigil.config.Pos;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Expression;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one step does, one record per step kind. Templates are compiled; {@link #render} evaluates
 * them against a run's bindings into a {@link RenderedAction} that an engine performs (or a dry run
 * records). Rendering never performs anything.
 */
public sealed interface StepSpec {

  /** The kind as written in the file: {@code http}, {@code exec}, ... */
  String kind();

  Pos pos();

  /** The CEL type of {@code steps.<id>.output} for a step of this kind. */
  CelType outputType();

  /** Every template rendered against {@code bindings}; nothing is performed. */
  default RenderedAction render(Map<String, ?> bindings) throws EvalException {
    return render(Renderer.strict(bindings));
  }

  /**
   * For dry runs: what can be rendered is, holes that need a run's results stay as {@code ${{
   * source }}}.
   */
  default RenderedAction preview(Map<String, ?> bindings) {
    try {
      return render(Renderer.preview(bindings));
    } catch (EvalException e) {
      throw new IllegalStateException("a preview never fails", e);
    }
  }

  RenderedAction render(Renderer r) throws EvalException;

  /** How templates are filled: strictly (a run) or as a preview (a dry run). */
  interface Renderer {
    String text(Template t, Insertion where) throws EvalException;

    Object value(Template t) throws EvalException;

    static Renderer strict(Map<String, ?> b) {
      return new Renderer() {
        @Override
        public String text(Template t, Insertion where) throws EvalException {
          return t.render(b, where);
        }

        @Override
        public Object value(Template t) throws EvalException {
          return t.value(b);
        }
      };
    }

    static Renderer preview(Map<String, ?> b) {
      return new Renderer() {
        @Override
        public String text(Template t, Insertion where) {
          return t.preview(b, where);
        }

        @Override
        public Object value(Template t) {
          try {
            return t.value(b);
          } catch (EvalException e) {
            return t.preview(b, Insertion.TEXT);
          }
        }
      };
    }
  }

  List<String> KINDS =
      List.of("http", "exec", "wait", "check", "slack", "pagerduty", "incident", "approval");

  /**
   * An HTTP request. {@code body} is null, a {@link Template} (sent as text), or a JSON tree of
   * maps, lists, literals and templates (sent as JSON; a template leaf becomes a JSON string unless
   * it is exactly one {@code ${{ }}}, which keeps its type).
   */
  record Http(
      String method,
      Template url,
      Map<String, Template> headers,
      Object body,
      List<Integer> expectStatus,
      Pos pos)
      implements StepSpec {
    public static final List<String> METHODS =
        List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    public Http {
      headers = Map.copyOf(headers);
      expectStatus = List.copyOf(expectStatus);
    }

    @Override
    public String kind() {
      return "http";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.HTTP_RESPONSE;
    }

    @Override
    public RenderedAction.HttpCall render(Renderer b) throws EvalException {
      Map<String, String> h = new LinkedHashMap<>();
      for (Map.Entry<String, Template> e : new java.util.TreeMap<>(headers).entrySet()) {
        h.put(e.getKey(), b.text(e.getValue(), Insertion.HEADER));
      }
      Object renderedBody =
          body instanceof Template t ? b.text(t, Insertion.TEXT) : renderJson(body, b);
      return new RenderedAction.HttpCall(
          method, b.text(url, Insertion.URL), h, renderedBody, expectStatus);
    }

    /** True when the body is sent as JSON. */
    public boolean jsonBody() {
      return body != null && !(body instanceof Template);
    }
  }

  /** A program run with an argv list (never a shell). */
  record Exec(
      List<Template> command,
      Map<String, Template> env,
      Optional<String> workdir,
      List<Integer> okExitCodes,
      Pos pos)
      implements StepSpec {
    public Exec {
      command = List.copyOf(command);
      env = Map.copyOf(env);
      okExitCodes = List.copyOf(okExitCodes);
    }

    @Override
    public String kind() {
      return "exec";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.EXEC_OUTPUT;
    }

    /** The binary, as written (always a literal). */
    public String binary() {
      return command.get(0).source();
    }

    @Override
    public RenderedAction.Command render(Renderer b) throws EvalException {
      List<String> argv = new ArrayList<>();
      for (Template t : command) {
        argv.add(b.text(t, Insertion.ARGV));
      }
      Map<String, String> e = new LinkedHashMap<>();
      for (Map.Entry<String, Template> x : new java.util.TreeMap<>(env).entrySet()) {
        e.put(x.getKey(), b.text(x.getValue(), Insertion.ARGV));
      }
      return new RenderedAction.Command(argv, e, workdir, okExitCodes);
    }
  }

  /** A durable pause. */
  record Wait(Duration duration, Pos pos) implements StepSpec {
    @Override
    public String kind() {
      return "wait";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.NO_OUTPUT;
    }

    @Override
    public RenderedAction.Pause render(Renderer b) {
      return new RenderedAction.Pause(duration);
    }
  }

  /**
   * An HTTP request repeated every {@code interval} until {@code until} holds or {@code timeout}
   * passes.
   */
  record Check(Http http, Expression until, Duration interval, Duration timeout, Pos pos)
      implements StepSpec {
    @Override
    public String kind() {
      return "check";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.HTTP_RESPONSE;
    }

    @Override
    public RenderedAction.Poll render(Renderer b) throws EvalException {
      return new RenderedAction.Poll(http.render(b), until.source(), interval, timeout);
    }
  }

  /** A Slack message; no channel means the incident's team channel. */
  record Slack(Optional<Template> channel, Template text, Pos pos) implements StepSpec {
    @Override
    public String kind() {
      return "slack";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.SLACK_OUTPUT;
    }

    @Override
    public RenderedAction.Message render(Renderer b) throws EvalException {
      return new RenderedAction.Message(
          channel.isPresent()
              ? Optional.of(b.text(channel.get(), Insertion.TEXT))
              : Optional.empty(),
          b.text(text, Insertion.SLACK));
    }
  }

  /**
   * A PagerDuty event for this incident (dedup key: the incident id), to its team's routing key or
   * the named team's.
   */
  record PagerDuty(
      String action,
      Optional<Template> summary,
      Optional<String> severity,
      Optional<String> team,
      Pos pos)
      implements StepSpec {
    public static final List<String> ACTIONS = List.of("trigger", "acknowledge", "resolve");

    @Override
    public String kind() {
      return "pagerduty";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.PAGERDUTY_OUTPUT;
    }

    @Override
    public RenderedAction.Page render(Renderer b) throws EvalException {
      return new RenderedAction.Page(
          action,
          summary.isPresent()
              ? Optional.of(b.text(summary.get(), Insertion.TEXT))
              : Optional.empty(),
          severity,
          team);
    }
  }

  /** A change to the incident itself. */
  record Incident(String action, Optional<Template> text, Pos pos) implements StepSpec {
    public static final List<String> ACTIONS =
        List.of("acknowledge", "resolve", "note", "escalate");

    @Override
    public String kind() {
      return "incident";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.NO_OUTPUT;
    }

    @Override
    public RenderedAction.IncidentAction render(Renderer b) throws EvalException {
      return new RenderedAction.IncidentAction(
          action,
          text.isPresent() ? Optional.of(b.text(text.get(), Insertion.TEXT)) : Optional.empty());
    }
  }

  /** A durable pause until a person approves or rejects, or {@code timeout} fails the step. */
  record Approval(Template text, List<String> approvers, Optional<Duration> timeout, Pos pos)
      implements StepSpec {
    public Approval {
      approvers = List.copyOf(approvers);
    }

    @Override
    public String kind() {
      return "approval";
    }

    @Override
    public CelType outputType() {
      return ExprTypes.APPROVAL_OUTPUT;
    }

    @Override
    public RenderedAction.ApprovalRequest render(Renderer b) throws EvalException {
      return new RenderedAction.ApprovalRequest(
          b.text(text, Insertion.SLACK), approvers, timeout); // posted to Slack as mrkdwn
    }
  }

  /** Renders a JSON body tree: templates at the leaves, keys and literals as written. */
  static Object renderJson(Object node, Renderer b) throws EvalException {
    if (node == null) {
      return null;
    }
    if (node instanceof Template t) {
      return t.isSingleHole() ? b.value(t) : b.text(t, Insertion.TEXT);
    }
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((String) e.getKey(), renderJson(e.getValue(), b));
      }
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) {
        out.add(renderJson(x, b));
      }
      return out;
    }
    return node;
  }
}
