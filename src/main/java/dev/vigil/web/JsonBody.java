package dev.vigil.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A request body read as exactly one JSON document (RFC 8259): UTF-8 only, strictly decoded
 * (overlong forms such as {@code C0 AF}, surrogates and stray bytes are refused, where Jackson
 * alone would read {@code C0 AF} as {@code /}), no UTF-16 or UTF-32, nothing but whitespace after
 * the document, no duplicate keys, nesting at most 64 and strings at most 1 MiB. Every refusal is a
 * {@link BadRequest} whose message starts with {@code body:} and says what is wrong and where.
 *
 * <p>Pure and thread-safe. The UTF-8 check decodes once into chars, which Jackson then parses
 * instead of decoding the bytes itself, so strictness costs about one pass over the body; a body of
 * ASCII only needs no decoding, and Jackson parses its bytes.
 */
public final class JsonBody {
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * {@link #MAPPER} without its check for duplicate keys, for {@link #stream}: its readers check
   * what they read themselves, far more cheaply than a set of names per object.
   */
  private static final ObjectMapper STREAMING = JsonMapper.builder().build();

  static {
    for (ObjectMapper m : new ObjectMapper[] {MAPPER, STREAMING}) {
      m.getFactory()
          .setStreamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build());
    }
  }

  private JsonBody() {}

  /** The one JSON document in {@code body}. */
  public static JsonNode read(byte[] body) {
    try (JsonParser p = parser(MAPPER, body)) {
      if (p.nextToken() == null) {
        throw new BadRequest("body: empty; expected JSON");
      }
      JsonNode node = MAPPER.readTree(p);
      JsonToken after;
      try {
        after = p.nextToken();
      } catch (JsonProcessingException e) {
        throw new BadRequest(
            "body: unexpected data after the JSON document"
                + at(e)
                + "; send exactly one JSON document");
      }
      if (after != null) {
        throw new BadRequest(
            "body: a second JSON value after the first"
                + at(p)
                + "; send exactly one JSON document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadRequest("body: malformed JSON" + at(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest("body: unreadable: " + e.getMessage());
    }
  }

  /**
   * Reads a document straight off the parser (positioned on its first token); null when it is not
   * what the reader expects. The parser does not refuse duplicate keys: the reader must, by
   * returning null (and {@link #skip} for what it skips).
   */
  @FunctionalInterface
  public interface StreamReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /**
   * The one JSON document in {@code body} read by {@code reader} from the token stream, without a
   * tree: the fast path for well-formed bodies. Null when the reader gives up or anything about the
   * document is off (malformed, duplicate keys, trailing data): the caller then reads it again with
   * {@link #read} to say exactly what is wrong. Encoding problems are refused here as in {@link
   * #read}.
   */
  public static <T> T stream(byte[] body, StreamReader<T> reader) {
    try (JsonParser p = parser(STREAMING, body)) {
      if (p.nextToken() == null) {
        return null;
      }
      T t = reader.read(p);
      return t != null && p.nextToken() == null ? t : null;
    } catch (BadRequest e) {
      throw e; // not UTF-8
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A body that must be a JSON object, as a map for Vert.x's {@code JsonObject}; {@code example}
   * shows the expected shape.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(byte[] body, String example) {
    JsonNode node = read(body);
    if (!node.isObject()) {
      throw new BadRequest("body: expected a JSON object like " + example);
    }
    return MAPPER.convertValue(node, Map.class);
  }

  /**
   * A parser over {@code body} decoded as strict UTF-8 (see {@link #utf8}). A body of ASCII only
   * (Alertmanager's, nearly always) is UTF-8 as it stands: Jackson reads its bytes directly, with
   * no decoding pass and no copy.
   */
  private static JsonParser parser(ObjectMapper mapper, byte[] body) throws IOException {
    refuseOtherEncodings(body);
    if (ascii(body)) {
      return mapper.createParser(body);
    }
    CharBuffer text = utf8(body);
    char[] chars = text.array();
    int from =
        text.position() > 0 && chars[0] == '\uFEFF'
            ? 1
            : 0; // a UTF-8 byte order mark is allowed and skipped (RFC 8259 §8.1)
    return mapper.createParser(chars, from, text.position() - from);
  }

  /**
   * Skips the value the parser is on (for a {@link StreamReader}); false when an object in it
   * repeats a key.
   */
  public static boolean skip(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_ARRAY) {
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (!skip(p)) {
          return false;
        }
      }
    } else if (t == JsonToken.START_OBJECT) {
      Keys names = new Keys();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        if (!names.first(p.currentName())) {
          return false;
        }
        p.nextToken();
        if (!skip(p)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The keys of one object read so far, for a {@link StreamReader} (its parser leaves repeated keys
   * to it). A few keys are compared in a row; a set takes over for objects with many keys.
   */
  public static final class Keys {
    private final String[] names = new String[16];
    private int count;
    private Set<String> many;

    /** False when {@code name} is a key this object had already. */
    public boolean first(String name) {
      if (many != null) {
        return many.add(name);
      }
      for (int i = 0; i < count; i++) {
        if (names[i].equals(name)) {
          return false;
        }
      }
      if (count == names.length) {
        many = new HashSet<>(Arrays.asList(names));
        return many.add(name);
      }
      names[count++] = name;
      return true;
    }
  }

  /**
   * The body decoded as strict UTF-8 (after {@link #refuseOtherEncodings}). The chars are those of
   * the returned buffer's array up to its position.
   */
  private static CharBuffer utf8(byte[] body) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out =
        CharBuffer.allocate(body.length); // UTF-8 never decodes to more chars than bytes
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      throw new BadRequest(
          "body: not valid UTF-8 at byte "
              + at
              + " ("
              + hex(body, at, Math.max(1, r.length()))
              + "); only UTF-8 JSON is accepted");
    }
    return out; // filled up to its position
  }

  /** Whether every byte is below 0x80. */
  static boolean ascii(byte[] body) {
    int all = 0;
    for (byte b : body) {
      all |= b;
    }
    return all >= 0;
  }

  /**
   * UTF-16 and UTF-32 are named: their byte order marks are not UTF-8, and without one their ASCII
   * text holds NUL bytes, which UTF-8 JSON never has.
   */
  private static void refuseOtherEncodings(byte[] body) {
    if (body.length >= 2
        && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
            || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
      throw new BadRequest(
          "body: UTF-16 (byte order mark " + hex(body, 0, 2) + "); only UTF-8 JSON is accepted");
    }
    for (int i = 0; i < Math.min(4, body.length); i++) {
      if (body[i] == 0) {
        throw new BadRequest(
            "body: NUL byte at byte " + i + " (UTF-16 or UTF-32?); only UTF-8 JSON is accepted");
      }
    }
  }

  private static String hex(byte[] b, int from, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < Math.min(b.length, from + n); i++) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02X", b[i] & 0xFF));
    }
    return sb.toString();
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String at(JsonParser p) {
    var l = p.currentTokenLocation();
    return " at line " + l.getLineNr() + ", column " + l.getColumnNr();
  }
}
