package dev.vigil.runbook;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vigil.alert.Matcher;
import dev.vigil.alert.MatcherSyntaxException;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.Problems;
import dev.vigil.config.Suggest;
import dev.vigil.config.VigilConfig;
import dev.vigil.config.Yaml;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Scope;
import dev.vigil.expr.Template;
import dev.vigil.runbook.action.SpecReader;
import dev.vigil.runbook.action.StepKinds;
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
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final List<String> execAllow;
  private final List<String> httpAllow;
  private final Set<String> secretNames;
  private final StepKinds kinds;

  /**
   * @param execAllow programs {@code exec} steps may run ({@code runbooks.exec.allow})
   * @param httpAllow hosts {@code http} and {@code check} steps may call; empty: any
   * @param secretNames the names of {@code runbooks.secrets}, which the steps of kinds that {@link
   *     dev.vigil.runbook.action.StepKind#readsSecrets() read secrets} may insert
   * @param kinds the step kinds a runbook may use
   */
  public RunbookReader(
      List<String> execAllow, List<String> httpAllow, Set<String> secretNames, StepKinds kinds) {
    this.execAllow = List.copyOf(execAllow);
    this.httpAllow = List.copyOf(httpAllow);
    this.secretNames = Set.copyOf(secretNames);
    this.kinds = kinds;
  }

  /** A reader for Vigil's own step kinds. */
  public RunbookReader(List<String> execAllow, List<String> httpAllow, Set<String> secretNames) {
    this(execAllow, httpAllow, secretNames, StepKinds.standard());
  }

  /** A reader for a config with no {@code runbooks.secrets}. */
  public RunbookReader(List<String> execAllow, List<String> httpAllow) {
    this(execAllow, httpAllow, Set.of());
  }

  /** The reader for {@code config}'s allowlists and secret names and Vigil's step kinds. */
  public static RunbookReader of(VigilConfig.Runbooks config) {
    return of(config, StepKinds.standard());
  }

  /** The reader for {@code config}'s allowlists and secret names and these step kinds. */
  public static RunbookReader of(VigilConfig.Runbooks config, StepKinds kinds) {
    return new RunbookReader(
        config.execAllow(), config.httpAllow(), config.secrets().keySet(), kinds);
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
    private final FileCompiler compiler;

    FileReader(YamlNode root, Path file, SourceText text, String version) {
      this.root = root;
      this.file = file;
      this.text = text;
      this.version = version;
      this.compiler = new FileCompiler(text);
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
      Duration timeout =
          f.get("timeout").flatMap(compiler::positive).orElse(Runbook.DEFAULT_TIMEOUT);

      Scope base = Scope.runbook();
      Map<String, Runbook.Var> vars = vars(f, base);
      Scope withVars = base.with("vars", varsType(vars));
      Optional<Runbook.Concurrency> concurrency = concurrency(f, withVars);

      StepsReader.Steps steps =
          new StepsReader(kinds, execAllow, httpAllow, secretNames, compiler).read(f, withVars);

      Runbook.IncidentOutcome onSuccess =
          outcome(f, "onSuccess", "resolve", List.of("resolve", "none"));
      Runbook.IncidentOutcome onFailure =
          outcome(f, "onFailure", "escalate", List.of("escalate", "none"));
      if (steps.list().size() != steps.count() || root.problems().hasErrors()) {
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
              steps.list(),
              onSuccess,
              onFailure,
              steps.graph(),
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
                    compiler.errorAt(n, e.offset(), "bad matcher: " + e.reason());
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
                            if (!StepsReader.STEP_ID.matcher(key).matches()) {
                              node.error(
                                  "\""
                                      + key
                                      + "\" is not a variable name: use letters, digits and '_' (it is read as vars."
                                      + key
                                      + ")");
                              return;
                            }
                            Optional<Template> t =
                                compiler.template(node, scope, Scope.StepAccess.NONE);
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
                    c.required("key")
                        .flatMap(k -> compiler.template(k, scope, Scope.StepAccess.NONE));
                int limit = (int) c.integer("limit", 1, 1, 10_000);
                return key.map(k -> new Runbook.Concurrency(k, limit, c.node().pos()));
              });
    }

    private Runbook.IncidentOutcome outcome(
        Fields f, String key, String dflt, List<String> choices) {
      return Runbook.IncidentOutcome.valueOf(f.oneOf(key, dflt, choices).toUpperCase());
    }
  }

  static String hint(String word, Set<String> known) {
    return Suggest.nearest(word, known).map(k -> " (did you mean \"" + k + "\"?)").orElse("");
  }

  static String describe(YamlNode n) {
    if (n.isList()) {
      return "a list";
    }
    if (n.isNull()) {
      return "nothing";
    }
    return n.isMap() ? "a mapping" : "\"" + SpecReader.abbreviate(n.text()) + "\"";
  }
}
