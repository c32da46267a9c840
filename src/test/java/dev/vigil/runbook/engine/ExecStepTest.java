package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exec} steps with real processes: a test script allowlisted in the test config. */
class ExecStepTest {
  @TempDir Path dir;
  RunbookFixture f;
  Path script;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  void start(String steps) throws Exception {
    script = dir.resolve("tool.sh");
    Files.writeString(
        script,
        """
        #!/bin/sh
        # what the runbook asked for: print each argument on its own line, then act on the first
        case "$1" in
          args) shift; for a in "$@"; do echo "arg:$a"; done; env | sort; exit "${EXIT:-0}" ;;
          flood) head -c 200000 /dev/zero | tr '\\0' 'x'; head -c 100000 /dev/zero | tr '\\0' 'y' >&2 ;;
          tree) sleep 300 & echo $! > "$2"; echo $$ > "$3"; sleep 300 ;;
        esac
        """);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    String config = "runbooks: {exec: {allow: [\"" + script + "\"]}}\n";
    f =
        RunbookFixture.start(
            dir,
            config,
            Map.of(
                "tool",
                ("name: tool\nmatch: ['alertname = \"tool\"']\n" + steps)
                    .replace("$TOOL", script.toString())));
  }

  RunId fire() {
    return f.runOf(f.fire("{\"alertname\": \"tool\", \"instance\": \"a b; $(touch /tmp/pwned)\"}"));
  }

  @Test
  void argvStaysArgvAndTheEnvironmentIsOnlyPathAndTheStepsOwn() throws Exception {
    start(
        """
        steps:
          - id: run
            exec:
              command: ["$TOOL", "args", "${{ alert.labels.instance }}", "two words"]
              env: {EXIT: "3", GREETING: "hi"}
              okExitCodes: [0, 3]
        """);
    RunId run = fire();
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    Map<String, Object> out = f.step(run, "run").output();
    assertThat(out).containsEntry("exitCode", 3L);
    assertThat((String) out.get("stdout"))
        .contains("arg:a b; $(touch /tmp/pwned)\narg:two words\n");
    String env =
        ((String) out.get("stdout"))
            .lines()
            .filter(l -> !l.startsWith("arg:"))
            .filter(l -> l.contains("="))
            .map(l -> l.substring(0, l.indexOf('=')))
            .filter(k -> !k.equals("PWD") && !k.equals("SHLVL") && !k.equals("_"))
            .reduce((a, b) -> a + "," + b)
            .orElse("");
    assertThat(env).isEqualTo("EXIT,GREETING,PATH");
  }

  @Test
  void anExitCodeOutsideOkExitCodesFailsTheStep() throws Exception {
    start(
        """
        steps:
          - id: run
            exec: {command: ["$TOOL", "args"], env: {EXIT: "2"}}
        """);
    RunId run = fire();
    f.awaitStatus(run, RunStatus.FAILED);
    StepRun s = f.step(run, "run");
    assertThat(s.error()).isEqualTo("exec: " + script + " exited 2 (ok: [0])");
    assertThat(s.output()).containsEntry("exitCode", 2L);
  }

  @Test
  void stdoutAndStderrAreCappedAt64KiB() throws Exception {
    start(
        """
        steps:
          - id: run
            exec: {command: ["$TOOL", "flood"]}
        """);
    RunId run = fire();
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    Map<String, Object> out = f.step(run, "run").output();
    assertThat((String) out.get("stdout")).hasSize(65536).matches("x+");
    assertThat((String) out.get("stderr")).hasSize(65536).matches("y+");
  }

  @Test
  void aTimeoutKillsTheWholeProcessTree() throws Exception {
    Path child = dir.resolve("child.pid");
    Path parent = dir.resolve("parent.pid");
    start(
        ("""
        steps:
          - id: run
            exec: {command: ["$TOOL", "tree", "CHILD", "PARENT"]}
            timeout: 1s
        """)
            .replace("CHILD", child.toString())
            .replace("PARENT", parent.toString()));
    RunId run = fire();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Files.exists(child)
                    && Files.exists(parent)
                    && !Files.readString(child).isBlank()
                    && !Files.readString(parent).isBlank());
    long childPid = Long.parseLong(Files.readString(child).trim());
    long parentPid = Long.parseLong(Files.readString(parent).trim());
    assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive)).contains(true);
    RunRecord r =
        f.awaitStatus(run, RunStatus.FAILED); // the real one-second timeout of the process
    assertThat(r.steps().get(0).status()).isEqualTo(StepStatus.TIMED_OUT);
    assertThat(r.steps().get(0).error()).contains("killed it and its child processes");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ProcessHandle.of(childPid).map(h -> !h.isAlive()).orElse(true)
                    && ProcessHandle.of(parentPid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void aCommandThatIsNotAllowedIsRefusedAtLoad() throws Exception {
    start(
        """
        steps:
          - id: run
            exec: {command: ["/bin/rm", "-rf", "/tmp/x"]}
        """);
    JsonObject rb =
        f.d
            .get("/api/v1/runbooks")
            .body()
            .transform(JsonObject::new)
            .getJsonArray("runbooks")
            .getJsonObject(0);
    assertThat(rb.getBoolean("valid")).isFalse();
    assertThat(rb.getBoolean("serving")).isFalse();
    JsonArray errors = rb.getJsonArray("errors");
    assertThat(errors.getString(0)).contains("/bin/rm").contains("runbooks.exec.allow");
    String inc = f.fire("{\"alertname\": \"tool\"}");
    assertThat(f.incident(inc).getJsonArray("runs")).isEmpty();
  }
}
