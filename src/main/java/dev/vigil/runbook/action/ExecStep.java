package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.expr.Values;
import io.vertx.core.Future;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The {@code exec} step: an allowlisted program started with an argv list (never a shell), on a
 * worker pool. Its environment is exactly the step's {@code env} plus {@code PATH}. stdout and
 * stderr go to temporary files (so a chatty program never blocks on a full pipe) and are read back
 * capped at {@link #OUTPUT_CAP} bytes each. On a timeout or cancel the whole process tree is
 * killed: the descendants first (they would otherwise be re-parented and survive), then the
 * process.
 */
public final class ExecStep implements StepKind {
  public static final int OUTPUT_CAP = 64 * 1024;
  static final Duration DEFAULT_LIMIT = Duration.ofMinutes(10);
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String PATH = pathOrDefault();

  private static String pathOrDefault() {
    String p = System.getenv("PATH");
    return p == null ? "/usr/local/bin:/usr/bin:/bin" : p;
  }

  @Override
  public String name() {
    return "exec";
  }

  @Override
  public boolean readsSecrets() {
    return true;
  }

  @Override
  public CelType outputType() {
    return ExprTypes.EXEC_OUTPUT;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Map.of("exitCode", -1L, "stdout", "", "stderr", "");
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
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
        Optional<Template> bin = program(a, in.execAllow());
        ok &= bin.isPresent();
        bin.ifPresent(argv::add);
        continue;
      }
      Optional<Template> t = in.template(a);
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
                          in.template(v).ifPresent(t -> env.put(k, t));
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
    return ok ? Optional.of(new Spec(argv, env, workdir, okCodes, node.pos())) : Optional.empty();
  }

  /** The program: written out, never computed, and in the allowlist. */
  private static Optional<Template> program(YamlNode a, List<String> allow) {
    Optional<String> bin = a.string();
    if (bin.isEmpty()) {
      return Optional.empty();
    }
    if (Template.hasHoles(bin.get())) {
      a.error("the program must be written out, not computed");
      return Optional.empty();
    }
    if (!allow.contains(bin.get())) {
      a.error(
          "\""
              + bin.get()
              + "\" is not in runbooks.exec.allow ("
              + (allow.isEmpty()
                  ? "no programs are allowed"
                  : "allowed: " + String.join(", ", allow))
              + ")");
      return Optional.empty();
    }
    return Optional.of(Template.literal(bin.get()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Command cmd = (Command) attempt.action();
    String binary = cmd.argv().get(0);
    if (!services.execAllow().contains(binary)) {
      return Future.succeededFuture(
          StepOutcome.failed("exec: " + binary + " is not in runbooks.exec.allow", Map.of()));
    }
    Duration limit = attempt.timeout().orElse(DEFAULT_LIMIT);
    return services
        .execWorkers()
        .executeBlocking(() -> run(cmd, limit, attempt.cancellation()), false);
  }

  private static StepOutcome run(Command cmd, Duration limit, Attempt.Cancellation cancellation)
      throws IOException {
    Path out = Files.createTempFile("vigil-exec-", ".out");
    Path err = Files.createTempFile("vigil-exec-", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd.argv())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", PATH);
      env.putAll(cmd.env());
      cmd.workdir().ifPresent(w -> pb.directory(new File(w)));
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return StepOutcome.failed(
            "exec: cannot start " + cmd.argv().get(0) + ": " + e.getMessage(), Map.of());
      }
      cancellation.add(() -> killTree(p));
      boolean finished;
      try {
        finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finished = false;
      }
      if (!finished) {
        killTree(p);
        waitQuietly(p);
        return StepOutcome.timedOut(
            "exec: "
                + cmd.argv().get(0)
                + " still running after "
                + limit.toMillis()
                + " ms; killed it and its child processes",
            output(-1, out, err));
      }
      if (cancellation.cancelled()) {
        return StepOutcome.failed(
            "exec: " + cmd.argv().get(0) + " was cancelled", output(p.exitValue(), out, err));
      }
      int code = p.exitValue();
      Map<String, Object> o = output(code, out, err);
      if (!cmd.okExitCodes().contains(code)) {
        return StepOutcome.failed(
            "exec: " + cmd.argv().get(0) + " exited " + code + " (ok: " + cmd.okExitCodes() + ")",
            o);
      }
      return StepOutcome.done(o);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Kills the descendants (listed before anything dies, so none escapes by re-parenting), then the
   * process.
   */
  static void killTree(Process p) {
    List<ProcessHandle> tree = p.descendants().toList();
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  private static void waitQuietly(Process p) {
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, Object> output(long code, Path out, Path err) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("exitCode", code);
    m.put("stdout", head(out));
    m.put("stderr", head(err));
    return m;
  }

  private static String head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(OUTPUT_CAP);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** A program run with an argv list (never a shell). */
  public record Spec(
      List<Template> command,
      Map<String, Template> env,
      Optional<String> workdir,
      List<Integer> okExitCodes,
      Pos pos)
      implements StepSpec {
    public Spec {
      command = List.copyOf(command);
      env = Map.copyOf(env);
      okExitCodes = List.copyOf(okExitCodes);
    }

    @Override
    public String kind() {
      return "exec";
    }

    /** The binary, as written (always a literal). */
    public String binary() {
      return command.get(0).source();
    }

    @Override
    public Command render(Renderer b) throws EvalException {
      List<String> argv = new ArrayList<>();
      for (Template t : command) {
        argv.add(b.text(t, Insertion.ARGV));
      }
      Map<String, String> e = new LinkedHashMap<>();
      for (Map.Entry<String, Template> x : new TreeMap<>(env).entrySet()) {
        e.put(x.getKey(), b.text(x.getValue(), Insertion.ARGV));
      }
      return new Command(argv, e, workdir, okExitCodes);
    }
  }

  /** A program's argv and environment with every template filled in. */
  public record Command(
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
}
