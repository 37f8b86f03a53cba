package io.capstan.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tokens are stored only as the hex SHA-256 of their text, so a tokens file that leaks does not
 * give anyone access. {@code capstan token hash} prints the hash of a token read from stdin.
 */
public final class TokenHashes {
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private TokenHashes() {}

  /** The SHA-256 of the token's UTF-8 bytes. */
  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The SHA-256 of the token as 64 lowercase hex digits, as a tokens file stores it. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** The 32 bytes a stored hash stands for, or empty when it is not 64 hex digits. */
  public static Optional<byte[]> parseHex(String hex) {
    if (hex == null || !HEX.matcher(hex.trim()).matches()) {
      return Optional.empty();
    }
    return Optional.of(HexFormat.of().parseHex(hex.trim().toLowerCase(Locale.ROOT)));
  }
}
