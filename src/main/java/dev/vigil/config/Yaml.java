package dev.vigil.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Safe YAML loading for every file Vigil reads (config, teams, classification, runbooks).
 *
 * <p>Files are <em>composed</em> into a node tree, never constructed into Java objects, so no tag
 * can instantiate a type. Size, nesting and alias expansion are capped, and every node keeps its
 * line and column. Problems are added to the given {@link Problems}; nothing throws.
 */
public final class Yaml {
  /** Larger than any sensible runbook or config file; protects against a pasted log or a bomb. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  private static final int MAX_ALIASES = 50;
  private static final int MAX_DEPTH = 64;

  /**
   * Nodes in a document once aliases are expanded. Within the alias cap, aliases of aliases still
   * double at each level (48 of them make 2^24 nodes from 1 KiB); anything that walks the tree
   * would then run for minutes or fill the heap. Far above what a 4 MiB file of plain data holds.
   */
  static final int MAX_NODES = 200_000;

  private Yaml() {}

  /**
   * Reads and composes a file; empty when the file cannot be read or parsed (a problem says why).
   */
  public static Optional<YamlNode> load(
      Path file, String label, Problems problems, Interpolator interpolator) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        problems.error(Pos.of(label), "file is larger than " + MAX_BYTES / (1024 * 1024) + " MiB");
        return Optional.empty();
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      problems.error(Pos.of(label), "cannot read file: " + describe(e));
      return Optional.empty();
    }
    return parse(bytes, label, problems, interpolator);
  }

  /** Composes YAML text already in memory (tests, API uploads). */
  public static Optional<YamlNode> parse(
      byte[] bytes, String label, Problems problems, Interpolator interpolator) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      problems.error(Pos.of(label), "file is not valid UTF-8");
      return Optional.empty();
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlNode with both positions
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_BYTES);
    options.setAllowRecursiveKeys(false);
    try {
      Node root = new org.yaml.snakeyaml.Yaml(options).compose(new StringReader(text));
      if (root == null) {
        problems.error(Pos.of(label), "file is empty");
        return Optional.empty();
      }
      if (!tagsAreStandard(root, label, problems, 0, new int[1])) {
        return Optional.empty();
      }
      return Optional.of(YamlNode.root(root, new YamlNode.Context(label, problems, interpolator)));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = firstLine(e.getProblem() != null ? e.getProblem() : e.getMessage());
      if (problem.startsWith("Global tag is not allowed: ")) {
        problems.error(
            pos(label, mark),
            "tag " + problem.substring(27) + " is not allowed: these files hold plain data");
      } else {
        problems.error(pos(label, mark), "YAML syntax error: " + problem);
      }
      return Optional.empty();
    } catch (YAMLException e) {
      // the composer's depth and alias caps throw without a position: find the event that passed
      // them
      problems.error(
          limitPassedAt(text, label).orElse(Pos.of(label)),
          "YAML error: " + firstLine(e.getMessage()));
      return Optional.empty();
    }
  }

  /**
   * The first collection deeper than {@link #MAX_DEPTH}, or the first alias of a collection past
   * {@link #MAX_ALIASES}.
   */
  private static Optional<Pos> limitPassedAt(String text, String label) {
    int depth = 0;
    int aliases = 0;
    Set<String> collections = new HashSet<>();
    try {
      for (Event e : new org.yaml.snakeyaml.Yaml().parse(new StringReader(text))) {
        if (e instanceof CollectionStartEvent c) {
          if (c.getAnchor() != null) {
            collections.add(c.getAnchor());
          }
          if (++depth > MAX_DEPTH) {
            return Optional.of(pos(label, e.getStartMark()));
          }
        } else if (e instanceof CollectionEndEvent) {
          depth--;
        } else if (e instanceof AliasEvent a
            && collections.contains(a.getAnchor())
            && ++aliases > MAX_ALIASES) {
          return Optional.of(pos(label, e.getStartMark()));
        }
      }
    } catch (YAMLException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  static Pos pos(String label, Mark mark) {
    return mark == null ? Pos.of(label) : new Pos(label, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /**
   * Refuses explicit tags such as {@code !!java.lang.Runtime} (Vigil's files are plain data) and
   * documents past {@link #MAX_NODES} (reported once, where the count passed it).
   */
  private static boolean tagsAreStandard(
      Node node, String label, Problems problems, int depth, int[] nodes) {
    if (depth > MAX_DEPTH || nodes[0] > MAX_NODES) {
      return depth
          > MAX_DEPTH; // the composer already limits depth; past the node cap, reported once
    }
    if (++nodes[0] > MAX_NODES) {
      problems.error(
          pos(label, node.getStartMark()),
          "the document has more than "
              + MAX_NODES
              + " nodes once its aliases are expanded: these files hold plain data, not alias bombs");
      return false;
    }
    String tag = node.getTag().getValue();
    if (!tag.startsWith("tag:yaml.org,2002:")) {
      problems.error(
          pos(label, node.getStartMark()),
          "tag " + tag + " is not allowed: these files hold plain data");
      return false;
    }
    boolean ok = true;
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        ok &= tagsAreStandard(t.getKeyNode(), label, problems, depth + 1, nodes);
        ok &= tagsAreStandard(t.getValueNode(), label, problems, depth + 1, nodes);
      }
    } else if (node instanceof SequenceNode s) {
      for (Node n : s.getValue()) {
        ok &= tagsAreStandard(n, label, problems, depth + 1, nodes);
      }
    }
    return ok;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable YAML";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return switch (kind) {
      case "NoSuchFileException" -> "no such file";
      case "AccessDeniedException" -> "permission denied";
      default -> e.getMessage() == null ? kind : e.getMessage();
    };
  }
}
