package io.tracklane.edge;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a click's CloudEvent (the same JSON as {@code CloudEvent.encode()}) straight to UTF-8 bytes:
 * no JSON tree, no generator, no intermediate String, per click. The constant parts are bytes built
 * once; strings are escaped as JSON requires (quote, backslash, control characters; an unpaired
 * surrogate, which UTF-8 cannot hold, becomes U+FFFD). Each thread writes into a buffer of its own.
 */
final class ClickFact {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] START = ascii("{\"specversion\":\"1.0\",\"id\":");
  private static final byte[] SOURCE = ascii(",\"source\":\"/tracklane/programs/");
  private static final byte[] TYPE = ascii("\",\"type\":");
  private static final byte[] TIME = ascii(",\"time\":\"");
  private static final byte[] CONTENT_TYPE = ascii("\",\"datacontenttype\":\"application/json\",\"programid\":\"");
  private static final byte[] CLICK_ID = ascii("\",\"data\":{\"click_id\":");
  private static final byte[] LINK_ID = ascii(",\"link_id\":");
  private static final byte[] CAMPAIGN_ID = ascii(",\"campaign_id\":");
  private static final byte[] AFFILIATE_ID = ascii(",\"affiliate_id\":");
  private static final byte[] CREDITABLE = ascii(",\"creditable\":");
  private static final byte[] IP = ascii(",\"ip\":");
  private static final byte[] USER_AGENT = ascii(",\"user_agent\":");
  private static final byte[] REFERER = ascii(",\"referer\":");
  private static final byte[] FLAGS = ascii(",\"flags\":[");
  private static final byte[] UNIQUE = ascii("],\"unique\":");
  private static final byte[] END = ascii("}}");
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

  private ClickFact() {
  }

  /** The fields of a click's data, in the order they are written. */
  record Click(String eventId, String type, long programId, Instant time, String clickId, long linkId,
      long campaignId, long affiliateId, boolean creditable, String ip, String userAgent, List<String> subs,
      String referer, List<String> flags, boolean unique) {
  }

  static byte[] encode(Click c, List<String> subNames) {
    Writer w = WRITERS.get();
    w.length = 0;
    w.raw(START).string(c.eventId()).raw(SOURCE).number(c.programId()).raw(TYPE).string(c.type())
        .raw(TIME).ascii(c.time().toString()).raw(CONTENT_TYPE).number(c.programId())
        .raw(CLICK_ID).string(c.clickId()).raw(LINK_ID).number(c.linkId()).raw(CAMPAIGN_ID).number(c.campaignId())
        .raw(AFFILIATE_ID).number(c.affiliateId()).raw(CREDITABLE).raw(c.creditable() ? TRUE : FALSE)
        .raw(IP).string(c.ip()).raw(USER_AGENT).string(c.userAgent());
    for (int i = 0; i < subNames.size(); i++) {
      w.raw(',').string(subNames.get(i)).raw(':').string(c.subs().get(i));
    }
    w.raw(REFERER).string(c.referer()).raw(FLAGS);
    for (int i = 0; i < c.flags().size(); i++) {
      if (i > 0) {
        w.raw(',');
      }
      w.string(c.flags().get(i));
    }
    w.raw(UNIQUE).raw(c.unique() ? TRUE : FALSE).raw(END);
    return Arrays.copyOf(w.bytes, w.length);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** A growing byte buffer, reused by its thread. */
  private static final class Writer {
    byte[] bytes = new byte[1024];
    int length;

    private void room(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    Writer raw(byte[] part) {
      room(part.length);
      System.arraycopy(part, 0, bytes, length, part.length);
      length += part.length;
      return this;
    }

    Writer raw(char c) {
      room(1);
      bytes[length++] = (byte) c;
      return this;
    }

    /** Text known to be ASCII without anything to escape (an ISO-8601 instant). */
    Writer ascii(String text) {
      room(text.length());
      for (int i = 0; i < text.length(); i++) {
        bytes[length++] = (byte) text.charAt(i);
      }
      return this;
    }

    Writer number(long value) {
      return ascii(Long.toString(value));
    }

    /** A JSON string, or null. */
    Writer string(String value) {
      if (value == null) {
        return raw(NULL);
      }
      // At most 6 bytes per char (an escape); 3 for any char of UTF-8.
      room(value.length() * 6 + 2);
      byte[] b = bytes;
      int n = length;
      b[n++] = '"';
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c >= 0x20 && c < 0x80) {
          if (c == '"' || c == '\\') {
            b[n++] = '\\';
          }
          b[n++] = (byte) c;
        } else if (c < 0x20) {
          n = escape(b, n, c);
        } else if (c < 0x800) {
          b[n++] = (byte) (0xc0 | c >> 6);
          b[n++] = (byte) (0x80 | c & 0x3f);
        } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
            && Character.isLowSurrogate(value.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, value.charAt(++i));
          b[n++] = (byte) (0xf0 | cp >> 18);
          b[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
          b[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
          b[n++] = (byte) (0x80 | cp & 0x3f);
        } else {
          char ch = Character.isSurrogate(c) ? '\ufffd' : c;
          b[n++] = (byte) (0xe0 | ch >> 12);
          b[n++] = (byte) (0x80 | ch >> 6 & 0x3f);
          b[n++] = (byte) (0x80 | ch & 0x3f);
        }
      }
      b[n++] = '"';
      length = n;
      return this;
    }

    private static int escape(byte[] b, int n, char c) {
      b[n++] = '\\';
      switch (c) {
        case '\n' -> b[n++] = 'n';
        case '\r' -> b[n++] = 'r';
        case '\t' -> b[n++] = 't';
        case '\b' -> b[n++] = 'b';
        case '\f' -> b[n++] = 'f';
        default -> {
          b[n++] = 'u';
          b[n++] = '0';
          b[n++] = '0';
          b[n++] = HEX[c >> 4];
          b[n++] = HEX[c & 0xf];
        }
      }
      return n;
    }
  }
}
