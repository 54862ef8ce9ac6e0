package io.tracklane.edge;

import io.tracklane.domain.Secrets;
import io.tracklane.http.HttpError;
import io.tracklane.store.ProgramRepository.ProgramInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Finds the program a postback belongs to from its credential: the postback token (header
 * X-Postback-Token or field token), or an HMAC-SHA256 of the raw body (the raw query string for a
 * GET) under the program's postback secret, sent as {@code X-Tracklane-Signature: sha256=<hex>}
 * with the program named by {@code X-Tracklane-Program: <id>}. Every failure is the same 401.
 */
final class PostbackAuth {
  static final String PROGRAM_HEADER = "X-Tracklane-Program";
  static final String SIGNATURE_HEADER = "X-Tracklane-Signature";
  private static final String SCHEME = "sha256=";

  private final EdgeLookups lookups;

  PostbackAuth(EdgeLookups lookups) {
    this.lookups = lookups;
  }

  Future<ProgramInfo> authenticate(String token, String programHeader, String signatureHeader, Buffer signed) {
    if (token != null) {
      return lookups.programsByTokenHash().get(Secrets.hash(token)).compose(PostbackAuth::known);
    }
    if (signatureHeader == null || programHeader == null || !programHeader.matches("[1-9][0-9]{0,17}")) {
      return Future.failedFuture(HttpError.unauthorized(
          "a postback token, or " + PROGRAM_HEADER + " and " + SIGNATURE_HEADER + " headers, are required"));
    }
    return lookups.programsById().get(Long.parseLong(programHeader)).compose(PostbackAuth::known).compose(program -> {
      boolean valid = matches(program.postbackSecret(), signed == null ? Buffer.buffer() : signed, signatureHeader);
      return valid ? Future.succeededFuture(program) : Future.failedFuture(invalid());
    });
  }

  /**
   * With a signature only signed bytes count. A signed POST signs its body, so a query string
   * beside it (say {@code ?event=refund} added to a captured sale) is refused rather than read or
   * silently dropped.
   */
  static void requireOnlySignedBytes(String method, String signatureHeader, String rawQuery) {
    if ("POST".equals(method) && signatureHeader != null && rawQuery != null && !rawQuery.isEmpty()) {
      throw HttpError.badRequest("a signed POST must carry every field in its signed body: send no query string");
    }
  }

  /** The header value a sender computes: sha256= and the lower-case hex HMAC of the raw bytes. */
  static String sign(String secret, byte[] raw) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return SCHEME + HexFormat.of().formatHex(mac.doFinal(raw));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static boolean matches(String secret, Buffer signed, String header) {
    String expected = sign(secret, signed.getBytes());
    String actual = header.trim().toLowerCase(Locale.ROOT);
    // Constant time, so the comparison leaks nothing about how much of a guess was right.
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        actual.getBytes(StandardCharsets.US_ASCII));
  }

  private static Future<ProgramInfo> known(ProgramInfo program) {
    return program == null ? Future.failedFuture(invalid()) : Future.succeededFuture(program);
  }

  private static HttpError invalid() {
    return HttpError.unauthorized("invalid postback credential");
  }
}
