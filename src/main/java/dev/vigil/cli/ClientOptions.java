package dev.vigil.cli;

import dev.vigil.client.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every client command takes: where the server is, the API token, and the output form.
 * The server is {@code --server}, else {@code VIGIL_SERVER}, else {@value #DEFAULT_SERVER}; the
 * token is the content of {@code --token-file}, else {@code VIGIL_API_TOKEN}, else none (a server
 * with no API tokens configured, on loopback). A bad URL or an unreadable or empty token file is a
 * usage error.
 */
public final class ClientOptions {
  public static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  /**
   * {@code -o text} (tables for people, the default) or {@code -o json} (the API's JSON as
   * answered).
   */
  public enum Format {
    text,
    json
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "Vigil's base URL (default: $VIGIL_SERVER, else " + DEFAULT_SERVER + ").")
  String server;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "A file holding the API token (default: $VIGIL_API_TOKEN).")
  Path tokenFile;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json",
      defaultValue = "text",
      description = "text: tables (default); json: the API's JSON as it answered.")
  Format output;

  /** Where the command prints its result. */
  public PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  public boolean json() {
    return output == Format.json;
  }

  /**
   * A client for the chosen server and token; throws a usage error (exit 2) for a bad URL or token
   * file.
   */
  public ApiClient client() {
    return new ApiClient(serverUri(), token());
  }

  /** The name recorded as {@code by}: {@code $USER}, else {@code cli}. */
  public String user() {
    String u = env("USER");
    return u == null || u.isBlank() ? "cli" : u;
  }

  URI serverUri() {
    String raw = server != null ? server : env("VIGIL_SERVER");
    String source = server != null ? "--server" : "VIGIL_SERVER";
    if (raw == null || raw.isBlank()) {
      raw = DEFAULT_SERVER;
      source = "the default server";
    }
    try {
      URI uri = new URI(raw.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getQuery() != null
          || uri.getFragment() != null) {
        throw usage(source + ": expected a URL like http://127.0.0.1:8080, got \"" + raw + "\"");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw usage(
          source
              + ": expected a URL like http://127.0.0.1:8080, got \""
              + raw
              + "\" ("
              + e.getReason()
              + ")");
    }
  }

  Optional<String> token() {
    if (tokenFile != null) {
      String t;
      try {
        t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw usage(
            "--token-file: cannot read "
                + tokenFile
                + " ("
                + (e instanceof NoSuchFileException ? "no such file" : e.getClass().getSimpleName())
                + ")");
      }
      if (t.isEmpty()) {
        throw usage("--token-file: " + tokenFile + " is empty");
      }
      if (t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw usage(
            "--token-file: "
                + tokenFile
                + " holds spaces, line breaks or non-ASCII characters inside the token; put the token alone in it");
      }
      return Optional.of(t);
    }
    String t = env("VIGIL_API_TOKEN");
    return t == null || t.isBlank() ? Optional.empty() : Optional.of(t.strip());
  }

  private String env(String name) {
    Object root = mixee.root().userObject();
    return root instanceof Environment e ? e.variable(name) : System.getenv(name);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(mixee.commandLine(), message);
  }
}
