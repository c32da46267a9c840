package dev.vigil.runbook.action;

import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code exec} step: an allowlisted program started with an argv list (never a shell), on a
 * worker pool. Its environment is exactly the step's {@code env} plus {@code PATH}. stdout and
 * stderr go to temporary files (so a chatty program never blocks on a full pipe) and are read back
 * capped at {@link #OUTPUT_CAP} bytes each. On a timeout or cancel the whole process tree is
 * killed: the descendants first (they would otherwise be re-parented and survive), then the
 * process.
 */
public final class ExecAction implements Action {
  public static final int OUTPUT_CAP = 64 * 1024;
  static final Duration DEFAULT_LIMIT = Duration.ofMinutes(10);

  private final WorkerExecutor workers;
  private final List<String> allow;
  private final String path;

  /**
   * @param allow the binaries {@code runbooks.exec.allow} lists; anything else is refused
   */
  public ExecAction(WorkerExecutor workers, List<String> allow) {
    this.workers = workers;
    this.allow = List.copyOf(allow);
    String p = System.getenv("PATH");
    this.path = p == null ? "/usr/local/bin:/usr/bin:/bin" : p;
  }

  @Override
  public String kind() {
    return "exec";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.Command cmd = (RenderedAction.Command) attempt.action();
    String binary = cmd.argv().get(0);
    if (!allow.contains(binary)) {
      return Future.succeededFuture(
          StepOutcome.failed("exec: " + binary + " is not in runbooks.exec.allow", Map.of()));
    }
    Duration limit = attempt.timeout().orElse(DEFAULT_LIMIT);
    return workers.executeBlocking(() -> run(cmd, limit, attempt.cancellation()), false);
  }

  private StepOutcome run(
      RenderedAction.Command cmd, Duration limit, Attempt.Cancellation cancellation)
      throws IOException {
    Path out = Files.createTempFile("vigil-exec-", ".out");
    Path err = Files.createTempFile("vigil-exec-", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd.argv())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", path);
      env.putAll(cmd.env());
      cmd.workdir().ifPresent(w -> pb.directory(new java.io.File(w)));
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
}
