package dev.vigil.runbook;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vigil.alert.Matcher;
import dev.vigil.alert.MatcherSyntaxException;
import dev.vigil.config.Durations;
import dev.vigil.config.Fields;
import dev.vigil.config.HostPattern;
import dev.vigil.config.Pos;
import dev.vigil.config.Problems;
import dev.vigil.config.Suggest;
import dev.vigil.config.Yaml;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.ExprError;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Expression;
import dev.vigil.expr.Scope;
import dev.vigil.expr.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one runbook file into a {@link Runbook}, reporting every problem in it at once as {@code
 * file:line:col: path: message}: YAML syntax, unknown keys, types, durations, matchers, the step
 * graph, CEL, the exec allowlist and rollout ranges. The file is usable only when it has no errors.
 *
 * <p>Stateless and thread-safe. {@link #read} does file I/O: call it off the event loop.
 */
public final class RunbookReader {
  static final List<String> TOP_KEYS =
      List.of(
          "name",
          "description",
          "match",
          "type",
          "rollout",
          "timeout",
          "concurrency",
          "vars",
          "steps",
          "onSuccess",
          "onFailure");
  static final List<String> STEP_KEYS;

  static {
    List<String> k =
        new ArrayList<>(
            List.of(
                "id", "description", "needs", "when", "timeout", "retry", "onFailure", "onResume"));
    k.addAll(StepSpec.KINDS);
    STEP_KEYS = List.copyOf(k);
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern STEP_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final List<String> execAllow;
  private final List<String> httpAllow;
  private final Set<String> secretNames;

  /**
   * @param execAllow programs {@code exec} steps may run ({@code runbooks.exec.allow})
   * @param httpAllow hosts {@code http} and {@code check} steps may call; empty: any
   * @param secretNames the names of {@code runbooks.secrets}, which http, check and exec steps may
   *     insert
   */
  public RunbookReader(List<String> execAllow, List<String> httpAllow, Set<String> secretNames) {
    this.execAllow = List.copyOf(execAllow);
    this.httpAllow = List.copyOf(httpAllow);
    this.secretNames = Set.copyOf(secretNames);
  }

  /** A reader for a config with no {@code runbooks.secrets}. */
  public RunbookReader(List<String> execAllow, List<String> httpAllow) {
    this(execAllow, httpAllow, Set.of());
  }

  /** The reader for {@code config}'s allowlists and secret names. */
  public static RunbookReader of(dev.vigil.config.VigilConfig.Runbooks config) {
    return new RunbookReader(config.execAllow(), config.httpAllow(), config.secrets().keySet());
  }

  /** Reads {@code file}; problems go to {@code problems} labelled with {@code label}. */
  public Optional<Runbook> read(Path file, String label, Problems problems) {
    byte[] bytes;
    try {
      if (Files.size(file) > Yaml.MAX_BYTES) {
        problems.error(
            Pos.of(label), "file is larger than " + Yaml.MAX_BYTES / (1024 * 1024) + " MiB");
        return Optional.empty();
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      problems.error(Pos.of(label), "cannot read file: " + e.getMessage());
      return Optional.empty();
    }
    return parse(bytes, file, label, problems);
  }

  /**
   * Reads a runbook already in memory. The runbook keeps these bytes as its source text (Yaml.parse
   * refuses bytes that are not valid UTF-8, so the text encodes back to exactly them and to its
   * version).
   */
  public Optional<Runbook> parse(byte[] bytes, Path file, String label, Problems problems) {
    Problems mine = new Problems();
    Optional<Runbook> rb =
        Yaml.parse(bytes, label, mine, null)
            .flatMap(
                root ->
                    new FileReader(root, file, new SourceText(bytes), version(bytes)).runbook());
    problems.addAll(mine);
    return mine.hasErrors() ? Optional.empty() : rb;
  }

  /**
   * The name a runbook file declares, or its file name without extension; for messages about
   * unreadable files.
   */
  public static String defaultName(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** The first 16 hex digits of the SHA-256 of the file's bytes. */
  public static String version(byte[] bytes) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** One pass over one file; holds what later checks need (the step ids, kinds and graph). */
  private final class FileReader {
    private final YamlNode root;
    private final Path file;
    private final SourceText text;
    private final String version;

    FileReader(YamlNode root, Path file, SourceText text, String version) {
      this.root = root;
      this.file = file;
      this.text = text;
      this.version = version;
    }

    Optional<Runbook> runbook() {
      if (!root.isMap()) {
        root.error("a runbook is a mapping with name, match and steps; got " + describe(root));
        return Optional.empty();
      }
      Fields f = root.fields(TOP_KEYS.toArray(String[]::new));
      String name =
          f.get("name")
              .flatMap(
                  n ->
                      n.string()
                          .filter(
                              s -> {
                                if (!NAME.matcher(s).matches()) {
                                  n.error(
                                      "\""
                                          + s
                                          + "\" is not a runbook name: use letters, digits, '.', '_' and '-' (it appears in URLs)");
                                  return false;
                                }
                                return true;
                              }))
              .orElse(defaultName(file));
      String description = f.string("description", "");
      List<Runbook.MatchRule> match = matchers(f);
      Optional<String> type = f.string("type");
      if (match.isEmpty() && type.isEmpty() && !f.has("match")) {
        f.node()
            .error(
                "missing required key \"match\" (or \"type\"): a runbook without either would run for every incident");
      }
      Rollout rollout = rollout(f);
      Duration timeout = f.get("timeout").flatMap(this::positive).orElse(Runbook.DEFAULT_TIMEOUT);

      Scope base = Scope.runbook();
      Map<String, Runbook.Var> vars = vars(f, base);
      Scope withVars = base.with("vars", varsType(vars));
      Optional<Runbook.Concurrency> concurrency = concurrency(f, withVars);

      Steps steps = steps(f, withVars);

      Runbook.IncidentOutcome onSuccess =
          outcome(f, "onSuccess", "resolve", List.of("resolve", "none"));
      Runbook.IncidentOutcome onFailure =
          outcome(f, "onFailure", "escalate", List.of("escalate", "none"));
      if (steps.list.size() != steps.count || root.problems().hasErrors()) {
        return Optional.empty();
      }
      return Optional.of(
          new Runbook(
              name,
              description,
              file,
              version,
              text.text(),
              match,
              type,
              rollout,
              timeout,
              concurrency,
              vars,
              steps.list,
              onSuccess,
              onFailure,
              steps.graph,
              f.get("name").map(YamlNode::pos).orElse(root.pos())));
    }

    private List<Runbook.MatchRule> matchers(Fields f) {
      List<Runbook.MatchRule> out = new ArrayList<>();
      Optional<YamlNode> m = f.get("match");
      if (m.isPresent() && m.get().isScalar()) {
        m.get().error("expected a list of matchers, e.g. [ 'alertname = \"DiskFull\"' ]");
        return out;
      }
      for (YamlNode n : f.items("match")) {
        n.string()
            .ifPresent(
                s -> {
                  try {
                    Matcher.parseList(s)
                        .forEach(one -> out.add(new Runbook.MatchRule(one, n.pos())));
                  } catch (MatcherSyntaxException e) {
                    errorAt(n, e.offset(), "bad matcher: " + e.reason());
                  }
                });
      }
      return out;
    }

    private Rollout rollout(Fields f) {
      Optional<Fields> r = f.fields("rollout", "mode", "percent", "minSuccessRate", "window");
      if (r.isEmpty()) {
        return Rollout.defaults(root.pos());
      }
      Fields x = r.get();
      Rollout.Mode mode =
          Rollout.Mode.parse(x.oneOf("mode", "auto", Rollout.Mode.NAMES)).orElse(Rollout.Mode.AUTO);
      return new Rollout(
          mode,
          (int) x.integer("percent", Rollout.DEFAULT_PERCENT, 0, 100),
          x.number("minSuccessRate", Rollout.DEFAULT_MIN_SUCCESS_RATE, 0, 1),
          (int) x.integer("window", Rollout.DEFAULT_WINDOW, 1, 1000),
          x.node().pos());
    }

    private Map<String, Runbook.Var> vars(Fields f, Scope scope) {
      Map<String, Runbook.Var> out = new LinkedHashMap<>();
      f.get("vars")
          .ifPresent(
              v ->
                  v.entries()
                      .forEach(
                          (key, node) -> {
                            if (!STEP_ID.matcher(key).matches()) {
                              node.error(
                                  "\""
                                      + key
                                      + "\" is not a variable name: use letters, digits and '_' (it is read as vars."
                                      + key
                                      + ")");
                              return;
                            }
                            Optional<Template> t = template(node, scope, Scope.StepAccess.NONE);
                            // a var that does not compile is still declared (as dyn), so its
                            // readers do not repeat the error
                            out.put(key, new Runbook.Var(key, t.orElse(null), node.pos()));
                          }));
      return out;
    }

    private CelType varsType(Map<String, Runbook.Var> vars) {
      Map<String, CelType> fields = new LinkedHashMap<>();
      vars.forEach(
          (k, v) ->
              fields.put(
                  k,
                  v.value() == null
                      ? SimpleType.DYN
                      : v.value().isSingleHole()
                          ? v.value().expressions().get(0).type()
                          : SimpleType.STRING));
      return ExprTypes.struct("vigil.Vars", fields);
    }

    private Optional<Runbook.Concurrency> concurrency(Fields f, Scope scope) {
      return f.fields("concurrency", "key", "limit")
          .flatMap(
              c -> {
                Optional<Template> key =
                    c.required("key").flatMap(k -> template(k, scope, Scope.StepAccess.NONE));
                int limit = (int) c.integer("limit", 1, 1, 10_000);
                return key.map(k -> new Runbook.Concurrency(k, limit, c.node().pos()));
              });
    }

    private Runbook.IncidentOutcome outcome(
        Fields f, String key, String dflt, List<String> choices) {
      return Runbook.IncidentOutcome.valueOf(f.oneOf(key, dflt, choices).toUpperCase());
    }

    // ---- steps ------------------------------------------------------------------------------

    /** What pass one learns about a step before any expression is compiled. */
    private record Shape(
        String id, YamlNode node, Fields fields, String kind, List<YamlNode> needNodes) {}

    private record Steps(List<Step> list, int count, StepGraph graph) {}

    private Steps steps(Fields f, Scope scope) {
      Optional<YamlNode> stepsNode = f.required("steps");
      List<YamlNode> items = f.items("steps");
      if (stepsNode.isPresent() && stepsNode.get().isList() && items.isEmpty()) {
        stepsNode.get().error("a runbook needs at least one step");
      }
      // pass 1: ids, kinds, needs
      Map<String, Shape> shapes = new LinkedHashMap<>();
      for (YamlNode item : items) {
        if (!item.isMap()) {
          item.error(
              "a step is a mapping with an id and one action ("
                  + String.join(", ", StepSpec.KINDS)
                  + "), got "
                  + describe(item));
          continue;
        }
        Fields sf = item.fields(STEP_KEYS.toArray(String[]::new));
        Optional<String> id =
            sf.required("id")
                .flatMap(
                    n ->
                        n.string()
                            .filter(
                                s -> {
                                  if (!STEP_ID.matcher(s).matches()) {
                                    n.error(
                                        "\""
                                            + s
                                            + "\" is not a step id: use letters, digits and '_', starting with a letter (it is read as steps."
                                            + s.replace('-', '_')
                                            + ")");
                                    return false;
                                  }
                                  Shape first = shapes.get(s);
                                  if (first != null) {
                                    n.error(
                                        "duplicate step id \""
                                            + s
                                            + "\" (first at line "
                                            + first.node().pos().line()
                                            + ")");
                                    return false;
                                  }
                                  return true;
                                }));
        List<String> kinds = StepSpec.KINDS.stream().filter(sf::has).toList();
        String kind = null;
        if (kinds.isEmpty()) {
          item.error(
              "step"
                  + id.map(s -> " \"" + s + "\"").orElse("")
                  + " has no action: give one of "
                  + String.join(", ", StepSpec.KINDS));
        } else if (kinds.size() > 1) {
          sf.get(kinds.get(1))
              .orElseThrow()
              .error("a step has exactly one action, but this one also has " + kinds.get(0));
        } else {
          kind = kinds.get(0);
        }
        List<YamlNode> needs = sf.items("needs");
        sf.get("needs")
            .filter(YamlNode::isScalar)
            .ifPresent(n -> n.error("expected a list of step ids, e.g. [" + n.text() + "]"));
        if (id.isPresent()) {
          shapes.put(id.get(), new Shape(id.get(), item, sf, kind, needs));
        }
      }
      // the graph: missing needs, then cycles
      Map<String, List<String>> needsById = new LinkedHashMap<>();
      for (Shape s : shapes.values()) {
        List<String> names = new ArrayList<>();
        for (YamlNode n : s.needNodes()) {
          Optional<String> need = n.string();
          if (need.isEmpty()) {
            names.add("");
            continue;
          }
          if (!shapes.containsKey(need.get())) {
            n.error("no step \"" + need.get() + "\"" + hint(need.get(), shapes.keySet()));
          } else if (names.contains(need.get())) {
            n.warning("\"" + need.get() + "\" is listed twice");
          }
          names.add(need.get());
        }
        needsById.put(s.id(), names);
      }
      StepGraph.Built built = StepGraph.build(needsById);
      for (StepGraph.Cycle c : built.cycles()) {
        shapes
            .get(c.step())
            .needNodes()
            .get(c.needIndex())
            .error(
                c.path().size() == 2
                    ? "step \"" + c.step() + "\" needs itself"
                    : "cycle: " + c.text());
      }
      StepGraph graph = built.graph();
      Map<String, CelType> stepTypes = new LinkedHashMap<>();
      shapes
          .values()
          .forEach(
              s ->
                  stepTypes.put(
                      s.id(),
                      ExprTypes.stepResult(
                          s.kind() == null ? "unknown" : s.kind(),
                          s.kind() == null ? SimpleType.DYN : outputType(s.kind()))));
      Scope withSteps = scope.with("steps", ExprTypes.struct("vigil.Steps", stepTypes));
      // pass 2: everything else
      List<Step> out = new ArrayList<>();
      for (Shape s : shapes.values()) {
        Scope.StepAccess access =
            ref -> {
              if (!shapes.containsKey(ref)) {
                return Optional.of(
                    "steps." + ref + ": no step \"" + ref + "\"" + hint(ref, shapes.keySet()));
              }
              if (ref.equals(s.id())) {
                return Optional.of(
                    "steps."
                        + ref
                        + ": a step cannot read its own result (use response in a check's until)");
              }
              if (!graph.ancestors(s.id()).contains(ref)) {
                return Optional.of(
                    "steps."
                        + ref
                        + ": \""
                        + ref
                        + "\" is not an ancestor of \""
                        + s.id()
                        + "\", so it may not have run yet; add it to needs (directly or through a step it needs)");
              }
              return Optional.empty();
            };
        step(s, withSteps, access, graph).ifPresent(out::add);
      }
      return new Steps(out, items.size(), graph);
    }

    private CelType outputType(String kind) {
      return switch (kind) {
        case "http", "check" -> ExprTypes.HTTP_RESPONSE;
        case "exec" -> ExprTypes.EXEC_OUTPUT;
        case "slack" -> ExprTypes.SLACK_OUTPUT;
        case "pagerduty" -> ExprTypes.PAGERDUTY_OUTPUT;
        case "approval" -> ExprTypes.APPROVAL_OUTPUT;
        default -> ExprTypes.NO_OUTPUT;
      };
    }

    private Optional<Step> step(Shape s, Scope scope, Scope.StepAccess access, StepGraph graph) {
      Fields sf = s.fields();
      Optional<Expression> when = sf.get("when").flatMap(n -> condition(n, scope, access));
      Optional<Duration> timeout = sf.get("timeout").flatMap(this::positive);
      Step.Retry retry =
          sf.fields("retry", "attempts", "backoff", "maxBackoff")
              .map(
                  r -> {
                    int attempts = (int) r.integer("attempts", 1, 1, 100);
                    Duration backoff =
                        r.get("backoff").flatMap(this::positive).orElse(Duration.ofSeconds(1));
                    Duration max =
                        r.get("maxBackoff")
                            .flatMap(this::positive)
                            .orElse(backoff.multipliedBy(32));
                    if (max.compareTo(backoff) < 0) {
                      r.get("maxBackoff")
                          .orElseThrow()
                          .error(
                              "maxBackoff "
                                  + Durations.format(max)
                                  + " is shorter than backoff "
                                  + Durations.format(backoff));
                    }
                    return new Step.Retry(attempts, backoff, max);
                  })
              .orElse(Step.Retry.NONE);
      Step.FailurePolicy onFailure =
          Step.FailurePolicy.valueOf(
              sf.oneOf("onFailure", "fail", List.of("fail", "continue")).toUpperCase());
      Step.ResumePolicy onResume =
          Step.ResumePolicy.valueOf(
              sf.oneOf("onResume", "retry", List.of("retry", "fail")).toUpperCase());
      if (s.kind() == null) {
        return Optional.empty();
      }
      YamlNode specNode = sf.get(s.kind()).orElseThrow();
      Optional<StepSpec> spec =
          switch (s.kind()) {
            // only these steps may insert secrets: what they send is not stored or shown as
            // rendered (see Secrets)
            case "http" ->
                http(specNode, scope.withSecrets(secretNames), access).map(h -> (StepSpec) h);
            case "exec" -> exec(specNode, scope.withSecrets(secretNames), access);
            case "wait" -> positive(specNode).map(d -> new StepSpec.Wait(d, specNode.pos()));
            case "check" -> check(specNode, scope.withSecrets(secretNames), access);
            case "slack" -> slack(specNode, scope, access);
            case "pagerduty" -> pagerduty(specNode, scope, access);
            case "incident" -> incident(specNode, scope, access);
            case "approval" -> approval(specNode, scope, access);
            default -> Optional.empty();
          };
      return spec.map(
          sp ->
              new Step(
                  s.id(),
                  sf.string("description", ""),
                  graph.needs(s.id()),
                  when,
                  timeout,
                  retry,
                  onFailure,
                  onResume,
                  sp,
                  s.node().pos()));
    }

    private Optional<StepSpec.Http> http(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields h = node.fields("method", "url", "headers", "body", "expectStatus");
      String method = h.oneOf("method", "GET", StepSpec.Http.METHODS);
      Optional<Template> url = h.required("url").flatMap(u -> url(u, scope, access));
      Map<String, Template> headers = new LinkedHashMap<>();
      h.get("headers")
          .ifPresent(
              hn ->
                  hn.entries()
                      .forEach(
                          (k, v) -> {
                            if (!HEADER_NAME.matcher(k).matches()) {
                              v.error("\"" + k + "\" is not a header name");
                              return;
                            }
                            template(v, scope, access).ifPresent(t -> headers.put(k, t));
                          }));
      Object body =
          h.get("body")
              .map(
                  b ->
                      b.isScalar()
                          ? template(b, scope, access).orElse(null)
                          : json(b, scope, access))
              .orElse(null);
      List<Integer> expect = new ArrayList<>();
      for (YamlNode s : h.items("expectStatus")) {
        s.integer(100, 599).ifPresent(v -> expect.add(v.intValue()));
      }
      h.get("expectStatus")
          .filter(YamlNode::isScalar)
          .ifPresent(n -> n.error("expected a list of status codes, e.g. [" + n.text() + "]"));
      return url.map(u -> new StepSpec.Http(method, u, headers, body, expect, node.pos()));
    }

    private Optional<Template> url(YamlNode u, Scope scope, Scope.StepAccess access) {
      Optional<String> s = u.string();
      if (s.isEmpty()) {
        return Optional.empty();
      }
      String v = s.get();
      if (!v.startsWith("http://") && !v.startsWith("https://")) {
        u.error("expected an http:// or https:// URL, got \"" + abbreviate(v) + "\"");
        return Optional.empty();
      }
      int hostStart = v.indexOf("://") + 3;
      int hostEnd = hostStart;
      while (hostEnd < v.length() && "/?#".indexOf(v.charAt(hostEnd)) < 0) {
        hostEnd++;
      }
      String authority = v.substring(hostStart, hostEnd);
      if (authority.contains("${{")) {
        errorAt(
            u,
            hostStart,
            "the host must be written out, not computed (an alert label must not choose where requests go)");
        return Optional.empty();
      }
      String host = HostPattern.hostOf(v).orElse(authority);
      if (!HostPattern.allows(httpAllow, host)) {
        errorAt(
            u,
            hostStart,
            "host \""
                + host
                + "\" is not in runbooks.http.allow (allowed: "
                + String.join(", ", httpAllow)
                + ")");
        return Optional.empty();
      }
      return template(u, scope, access);
    }

    private Object json(YamlNode n, Scope scope, Scope.StepAccess access) {
      if (n.isMap()) {
        Map<String, Object> out = new LinkedHashMap<>();
        n.entries().forEach((k, v) -> out.put(k, json(v, scope, access)));
        return out;
      }
      if (n.isList()) {
        List<Object> out = new ArrayList<>();
        n.items().forEach(v -> out.add(json(v, scope, access)));
        return out;
      }
      if (n.isNull()) {
        return null;
      }
      String s = n.text();
      if (Template.hasHoles(s)) {
        return template(n, scope, access).orElse(null);
      }
      if (!text.quoted(n)) {
        if (s.equals("true") || s.equals("false")) {
          return Boolean.parseBoolean(s);
        }
        if (s.matches("-?(0|[1-9][0-9]{0,17})")) {
          return Long.parseLong(s);
        }
        if (s.matches("-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?")) {
          return Double.parseDouble(s);
        }
      }
      return s;
    }

    private Optional<StepSpec> exec(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields e = node.fields("command", "env", "workdir", "okExitCodes");
      Optional<YamlNode> cmdNode = e.required("command");
      if (cmdNode.isPresent() && cmdNode.get().isScalar()) {
        cmdNode
            .get()
            .error(
                "expected an argv list, e.g. [\"/usr/bin/systemctl\", \"restart\", \"nginx\"]: commands never go through a shell");
        return Optional.empty();
      }
      List<YamlNode> items = e.items("command");
      if (cmdNode.isPresent() && items.isEmpty()) {
        cmdNode.get().error("command needs at least the program");
      }
      List<Template> argv = new ArrayList<>();
      boolean ok = !items.isEmpty();
      for (int i = 0; i < items.size(); i++) {
        YamlNode a = items.get(i);
        if (i == 0) {
          Optional<String> bin = a.string();
          if (bin.isEmpty()) {
            ok = false;
          } else if (Template.hasHoles(bin.get())) {
            a.error("the program must be written out, not computed");
            ok = false;
          } else if (!execAllow.contains(bin.get())) {
            a.error(
                "\""
                    + bin.get()
                    + "\" is not in runbooks.exec.allow ("
                    + (execAllow.isEmpty()
                        ? "no programs are allowed"
                        : "allowed: " + String.join(", ", execAllow))
                    + ")");
            ok = false;
          } else {
            argv.add(Template.literal(bin.get()));
          }
          continue;
        }
        Optional<Template> t = template(a, scope, access);
        ok &= t.isPresent();
        t.ifPresent(argv::add);
      }
      Map<String, Template> env = new LinkedHashMap<>();
      e.get("env")
          .ifPresent(
              en ->
                  en.entries()
                      .forEach(
                          (k, v) -> {
                            if (!ENV_NAME.matcher(k).matches()) {
                              v.error("\"" + k + "\" is not an environment variable name");
                              return;
                            }
                            template(v, scope, access).ifPresent(t -> env.put(k, t));
                          }));
      Optional<String> workdir = e.string("workdir");
      workdir
          .filter(w -> !w.startsWith("/"))
          .ifPresent(
              w ->
                  e.get("workdir")
                      .orElseThrow()
                      .error("workdir must be an absolute path, got \"" + w + "\""));
      List<Integer> okCodes = new ArrayList<>();
      for (YamlNode c : e.items("okExitCodes")) {
        c.integer(0, 255).ifPresent(v -> okCodes.add(v.intValue()));
      }
      if (!e.has("okExitCodes")) {
        okCodes.add(0);
      }
      return ok
          ? Optional.of(new StepSpec.Exec(argv, env, workdir, okCodes, node.pos()))
          : Optional.empty();
    }

    private Optional<StepSpec> check(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields c = node.fields("http", "until", "interval", "timeout");
      Optional<StepSpec.Http> http = c.required("http").flatMap(h -> http(h, scope, access));
      Optional<Expression> until =
          c.required("until")
              .flatMap(u -> condition(u, scope.with("response", ExprTypes.HTTP_RESPONSE), access));
      Duration interval = c.get("interval").flatMap(this::positive).orElse(Duration.ofSeconds(15));
      Duration timeout = c.get("timeout").flatMap(this::positive).orElse(Duration.ofMinutes(5));
      if (interval.compareTo(timeout) > 0) {
        c.get("interval")
            .orElse(node)
            .error(
                "interval "
                    + Durations.format(interval)
                    + " is longer than timeout "
                    + Durations.format(timeout));
      }
      if (http.isEmpty() || until.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new StepSpec.Check(http.get(), until.get(), interval, timeout, node.pos()));
    }

    private Optional<StepSpec> slack(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields s = node.fields("channel", "text");
      Optional<Template> channel = s.get("channel").flatMap(n -> template(n, scope, access));
      Optional<Template> txt = s.required("text").flatMap(n -> template(n, scope, access));
      return txt.map(t -> new StepSpec.Slack(channel, t, node.pos()));
    }

    private Optional<StepSpec> pagerduty(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields p = node.fields("action", "summary", "severity", "team");
      String action = p.oneOf("action", "trigger", StepSpec.PagerDuty.ACTIONS);
      Optional<Template> summary = p.get("summary").flatMap(n -> template(n, scope, access));
      Optional<String> severity =
          p.get("severity").flatMap(n -> n.oneOf(List.of("critical", "error", "warning", "info")));
      // a team id as written (never a template: an alert's labels must not choose who is paged)
      Optional<String> team =
          p.get("team")
              .flatMap(
                  n ->
                      n.string()
                          .filter(
                              t -> {
                                boolean ok = t.matches("[A-Za-z0-9][A-Za-z0-9_.-]*");
                                if (!ok) {
                                  n.error(
                                      "\""
                                          + t
                                          + "\" is not a team id (letters, digits, '_', '.' or '-', as in teams.yaml)");
                                }
                                return ok;
                              }));
      return Optional.of(new StepSpec.PagerDuty(action, summary, severity, team, node.pos()));
    }

    private Optional<StepSpec> incident(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields i = node.fields("action", "text");
      Optional<String> action =
          i.required("action").flatMap(n -> n.oneOf(StepSpec.Incident.ACTIONS));
      Optional<Template> txt = i.get("text").flatMap(n -> template(n, scope, access));
      if (action.filter("note"::equals).isPresent() && txt.isEmpty() && !i.has("text")) {
        i.node().error("a note needs text");
      }
      return action.map(a -> new StepSpec.Incident(a, txt, node.pos()));
    }

    private Optional<StepSpec> approval(YamlNode node, Scope scope, Scope.StepAccess access) {
      Fields a = node.fields("text", "approvers", "timeout");
      Optional<Template> txt = a.required("text").flatMap(n -> template(n, scope, access));
      List<String> approvers = a.strings("approvers");
      Optional<Duration> timeout = a.get("timeout").flatMap(this::positive);
      return txt.map(t -> new StepSpec.Approval(t, approvers, timeout, node.pos()));
    }

    // ---- expressions ------------------------------------------------------------------------

    /**
     * A {@code when}/{@code until}: a CEL expression, bare or as one {@code ${{ }}}, that must give
     * a bool.
     */
    private Optional<Expression> condition(YamlNode n, Scope scope, Scope.StepAccess access) {
      Optional<String> s = n.string();
      if (s.isEmpty()) {
        return Optional.empty();
      }
      String src = s.get();
      int start = 0;
      String trimmed = src.strip();
      if (trimmed.startsWith("${{") && trimmed.endsWith("}}")) {
        start = src.indexOf("${{") + 3;
        String inner = src.substring(start, src.lastIndexOf("}}"));
        int lead = inner.length() - inner.stripLeading().length();
        start += lead;
        src = inner.strip();
      }
      Scope.Result r = scope.compile(src, access);
      int base = start;
      if (!r.ok()) {
        r.errors().forEach(e -> errorAt(n, base + e.offset(), message(e)));
        return Optional.empty();
      }
      Expression e = r.expression().orElseThrow();
      if (!e.isBool() && !e.type().equals(SimpleType.DYN)) {
        errorAt(
            n,
            base,
            "CEL: a condition must give true or false, but this gives "
                + ExprTypes.describe(e.type()));
        return Optional.empty();
      }
      return Optional.of(e);
    }

    private Optional<Template> template(YamlNode n, Scope scope, Scope.StepAccess access) {
      Optional<String> s = n.string();
      if (s.isEmpty()) {
        return Optional.empty();
      }
      Template.Result r = Template.compile(s.get(), scope, access);
      r.errors().forEach(e -> errorAt(n, e.offset(), message(e)));
      return r.template();
    }

    private String message(ExprError e) {
      return e.message().startsWith("steps.") || e.message().startsWith("secrets")
          ? e.message()
          : "CEL: " + e.message();
    }

    private void errorAt(YamlNode n, int offset, String message) {
      Pos p = text.at(n, offset);
      n.problems().error(p, n.path().isEmpty() ? message : n.path() + ": " + message);
    }

    private Optional<Duration> positive(YamlNode n) {
      return n.duration()
          .filter(
              d -> {
                if (d.isZero() || d.isNegative()) {
                  n.error("must be longer than 0s");
                  return false;
                }
                return true;
              });
    }
  }

  private static String hint(String word, Set<String> known) {
    return Suggest.nearest(word, known).map(k -> " (did you mean \"" + k + "\"?)").orElse("");
  }

  private static String describe(YamlNode n) {
    if (n.isList()) {
      return "a list";
    }
    if (n.isNull()) {
      return "nothing";
    }
    return n.isMap() ? "a mapping" : "\"" + abbreviate(n.text()) + "\"";
  }

  private static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 60 ? one.substring(0, 57) + "..." : one;
  }
}
