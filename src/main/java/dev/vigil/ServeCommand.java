package dev.vigil;

import dev.vigil.cli.ConfigOption;
import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.VigilConfig;
import dev.vigil.telemetry.LogEncoder;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code vigil serve}: runs the daemon until SIGTERM or SIGINT, then drains (stops accepting,
 * finishes queued commits, closes the store) and exits 0. Exits 1 if it cannot start.
 */
@Command(name = "serve", description = "Run the daemon.")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Mixin ConfigOption config;

  /** Longest start-up (migrations included) before giving up rather than hanging. */
  private static final long START_TIMEOUT_SECONDS = 300;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    VigilConfig cfg;
    try {
      cfg = ConfigLoader.fromSystem().load(config.file);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      spec.commandLine().getErr().println("vigil: not started: " + config.file + " is invalid");
      return 1;
    }
    LogEncoder.use(cfg.log().format());
    CompletableFuture<Void> stop = new CompletableFuture<>();
    // Handled here rather than in a shutdown hook so that a clean drain exits 0, not 143.
    // A second signal while stopping means "now": the operator is not waiting for the drain.
    SignalHandler onStop =
        s -> {
          if (!stop.complete(null)) {
            log.atWarn().log("vigil: second " + s.getName() + " while stopping: exiting at once");
            Runtime.getRuntime().halt(1);
          }
        };
    Signal.handle(new Signal("TERM"), onStop);
    Signal.handle(new Signal("INT"), onStop);
    // SIGHUP reloads the runbooks, teams and classification, like POST /-/reload. Set before the
    // daemon starts: the JVM's
    // default for SIGHUP is to exit, and a reload sent while starting is simply not needed.
    AtomicReference<Daemon> started = new AtomicReference<>();
    Signal.handle(
        new Signal("HUP"),
        s -> {
          Daemon d = started.get();
          if (d != null) {
            d.reload("SIGHUP")
                .onFailure(
                    e ->
                        log.atError()
                            .setCause(e)
                            .log("vigil: reload on SIGHUP failed: " + e.getMessage()));
          }
        });
    Daemon daemon;
    CompletableFuture<Daemon> starting =
        Daemon.start(cfg, Clock.systemUTC()).toCompletionStage().toCompletableFuture();
    try {
      // A stop signal during start-up is honoured too; nothing may leave the process unkillable by
      // SIGTERM.
      CompletableFuture.anyOf(starting, stop).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!starting.isDone()) {
        log.atWarn().log("vigil: stop requested before start-up finished");
        starting
            .thenCompose(d -> d.stop().toCompletionStage())
            .get(cfg.server().shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        return 1;
      }
      daemon = starting.get();
    } catch (ExecutionException e) {
      log.atError().setCause(e.getCause()).log("vigil: cannot start: " + e.getCause().getMessage());
      spec.commandLine().getErr().println("vigil: cannot start: " + e.getCause().getMessage());
      return 1;
    } catch (TimeoutException e) {
      log.atError().log("vigil: did not start within " + START_TIMEOUT_SECONDS + "s; giving up");
      spec.commandLine()
          .getErr()
          .println("vigil: did not start within " + START_TIMEOUT_SECONDS + "s");
      return 1;
    }
    started.set(daemon);
    try {
      stop.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
    log.atInfo().log("vigil: stopping: draining requests and queued commits");
    try {
      daemon
          .stop()
          .toCompletionStage()
          .toCompletableFuture()
          .get(cfg.server().shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.atError().setCause(e).log("vigil: shutdown did not finish cleanly");
      return 1;
    }
    log.atInfo().log("vigil: stopped");
    return 0;
  }
}
