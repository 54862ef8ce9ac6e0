package io.tracklane.edge;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.tracklane.http.HttpError;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The one decoder of query strings and form bodies at the edge: strict, bounded, never a 5xx. */
final class QueryStrings {
  private static final int MAX_PARAMS = 64;

  private QueryStrings() {
  }

  /**
   * The first value of each name. Bad escapes, floods of names and a postback field given twice
   * (which of the two would count?) are 400.
   */
  static Map<String, String> decode(String raw, String where) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    Map<String, List<String>> decoded;
    try {
      decoded = new QueryStringDecoder(raw, StandardCharsets.UTF_8, false, MAX_PARAMS + 1).parameters();
    } catch (IllegalArgumentException e) {
      // The decoder's message quotes the raw input, which may carry the postback token: never echo it.
      throw HttpError.badRequest("the " + where + " is malformed (a bad %-escape)");
    }
    if (decoded.size() > MAX_PARAMS) {
      throw HttpError.badRequest("the " + where + " has too many parameters");
    }
    decoded.forEach((name, values) -> {
      if (values.size() > 1 && PostbackRequest.FIELDS.contains(name)) {
        throw HttpError.badRequest(name + " is given more than once");
      }
      out.put(name, values.get(0));
    });
    return out;
  }
}
