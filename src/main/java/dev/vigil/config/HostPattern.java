package dev.vigil.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An entry of {@code runbooks.http.allow}: a host written out ({@code prometheus}, {@code
 * 10.0.0.5}, {@code [::1]}) or every host under a domain ({@code *.example.com}, which does not
 * match {@code example.com} itself). Hosts compare without case; ports are not part of a pattern.
 */
public final class HostPattern {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*"
              + "|\\[[0-9A-Fa-f:.]+]");

  private HostPattern() {}

  /** Why {@code pattern} is not a host pattern, or empty when it is one. */
  public static Optional<String> problem(String pattern) {
    return SYNTAX.matcher(pattern).matches()
        ? Optional.empty()
        : Optional.of(
            "\""
                + YamlNode.abbreviate(pattern)
                + "\" is not a host pattern: write a host such as prometheus, 10.0.0.5, [::1] "
                + "or *.example.com (no scheme, port or path)");
  }

  /** True when {@code patterns} is empty (no allowlist) or one of them matches {@code host}. */
  public static boolean allows(List<String> patterns, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return patterns.isEmpty()
        || patterns.stream()
            .map(p -> p.toLowerCase(Locale.ROOT))
            .anyMatch(
                p ->
                    p.startsWith("*.")
                        ? h.endsWith(p.substring(1)) && h.length() > p.length() - 1
                        : h.equals(p));
  }

  /**
   * The host of an {@code http://} or {@code https://} URL as written: after the scheme, without
   * user info or port, up to the first {@code /}, {@code ?} or {@code #}; empty for other text.
   */
  public static Optional<String> hostOf(String url) {
    int start = url.indexOf("://");
    if (start < 0 || !(url.startsWith("http://") || url.startsWith("https://"))) {
      return Optional.empty();
    }
    int end = start + 3;
    while (end < url.length() && "/?#\\".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    return Optional.of(
        url.substring(start + 3, end).replaceFirst("^.*@", "").replaceFirst(":\\d*$", ""));
  }
}
