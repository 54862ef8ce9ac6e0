package io.tracklane.api;

import io.vertx.ext.web.MIMEHeader;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** CSV lines as RFC 4180 has them, safe to open in a spreadsheet. */
final class Csv {
  private Csv() {
  }

  /** One line, CRLF-terminated; null cells are empty. */
  static String line(List<?> cells) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(cell(cells.get(i)));
    }
    return out.append("\r\n").toString();
  }

  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    // A cell a spreadsheet would run as a formula (labels are typed by users) is kept as text.
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0
        || text.indexOf('\r') >= 0;
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }

  /** CSV when the client ranks text/csv above JSON (the Accept header, by quality). */
  static boolean wanted(RoutingContext ctx) {
    for (MIMEHeader accepted : ctx.parsedHeaders().accept()) {
      String type = accepted.component() + "/" + accepted.subComponent();
      if (type.equalsIgnoreCase("text/csv")) {
        return true;
      }
      if (type.equalsIgnoreCase("application/json") || type.startsWith("*/") || type.equalsIgnoreCase("application/*")) {
        return false;
      }
    }
    return false;
  }
}
