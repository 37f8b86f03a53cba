package io.capstan.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The principals the API knows and the hashes of their tokens. A token is resolved by hashing it
 * and comparing the hash with every stored one in constant time ({@link MessageDigest#isEqual}),
 * never stopping at the first match, so the time taken tells nothing about which hash came close.
 *
 * <p>Two sources, as the operator prefers: a YAML tokens file
 *
 * <pre>
 * tokens:
 *   - name: alice            # the principal's name
 *     role: operator         # viewer | operator | admin
 *     namespaces: [team-a]   # or ["*"] for all
 *     sha256: 5e88...        # hex SHA-256 of the token (capstan token hash)
 * </pre>
 *
 * or the environment variable {@code CAPSTAN_TOKENS="name:role:ns1,ns2:sha256hex;..."}.
 */
public final class TokenRegistry {
  /** The environment variable naming a tokens file, when {@code --auth-file} is not given. */
  public static final String AUTH_FILE_ENV = "CAPSTAN_AUTH_FILE";

  /** The environment variable holding tokens inline: {@code name:role:ns1,ns2:sha256hex;...}. */
  public static final String TOKENS_ENV = "CAPSTAN_TOKENS";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> ENTRY_FIELDS = Set.of("name", "role", "namespaces", "sha256");

  private record Entry(Principal principal, byte[] hash) {}

  private final List<Entry> entries;

  private TokenRegistry(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** A registry that knows no token: every request is refused. */
  public static TokenRegistry empty() {
    return new TokenRegistry(List.of());
  }

  /** The principal whose token this is, if any. */
  public Optional<Principal> resolve(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] presented = TokenHashes.sha256(token);
    Principal found = null;
    for (Entry entry : entries) {
      // Every entry is compared, so a match early in the list takes as long as one late in it.
      boolean equal = MessageDigest.isEqual(entry.hash(), presented);
      if (equal && found == null) {
        found = entry.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The principals, in the order they were configured. */
  public List<Principal> principals() {
    return entries.stream().map(Entry::principal).toList();
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The tokens of a YAML tokens file.
   *
   * @throws InvalidTokensException naming the file and every entry that is wrong
   */
  public static TokenRegistry fromFile(Path file) {
    String source = file.toString();
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new InvalidTokensException(
          source,
          List.of("cannot read it: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    JsonNode tokens = root == null ? null : root.get("tokens");
    if (root == null || !root.isObject() || tokens == null || !tokens.isArray()) {
      problems.add("tokens: required, a list of {name, role, namespaces, sha256}");
    } else {
      for (Iterator<String> fields = root.fieldNames(); fields.hasNext(); ) {
        String field = fields.next();
        if (!field.equals("tokens")) {
          problems.add(field + ": unknown field; the file has only 'tokens'");
        }
      }
      for (int i = 0; i < tokens.size(); i++) {
        entry(tokens.get(i), "tokens[" + i + "]", problems).ifPresent(entries::add);
      }
    }
    return checked(source, entries, problems);
  }

  /**
   * The tokens of a {@code CAPSTAN_TOKENS} value: entries {@code name:role:ns1,ns2:sha256hex}
   * separated by {@code ;}.
   *
   * @throws InvalidTokensException naming every entry that is wrong
   */
  public static TokenRegistry fromSpec(String spec) {
    List<String> problems = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    String[] parts = spec == null ? new String[0] : spec.split(";");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.isEmpty()) {
        continue;
      }
      String at = "entry " + (i + 1);
      String[] fields = part.split(":", -1);
      if (fields.length != 4) {
        problems.add(
            at + ": write it as name:role:ns1,ns2:sha256hex (" + fields.length + " parts)");
        continue;
      }
      List<String> namespaces =
          Arrays.stream(fields[2].split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      entry(at, fields[0].trim(), fields[1].trim(), namespaces, fields[3].trim(), problems)
          .ifPresent(entries::add);
    }
    return checked(TOKENS_ENV, entries, problems);
  }

  /**
   * The tokens configured for a process: the file given (else the one {@code CAPSTAN_AUTH_FILE}
   * names) and the entries of {@code CAPSTAN_TOKENS}, together; empty when there are none.
   *
   * @param file the {@code --auth-file}, or null
   * @param env the process environment
   */
  public static Optional<TokenRegistry> configured(Path file, Map<String, String> env) {
    Path tokensFile = file;
    String fromEnv = env.get(AUTH_FILE_ENV);
    if (tokensFile == null && fromEnv != null && !fromEnv.isBlank()) {
      tokensFile = Path.of(fromEnv.trim());
    }
    String spec = env.get(TOKENS_ENV);
    boolean hasSpec = spec != null && !spec.isBlank();
    if (tokensFile == null && !hasSpec) {
      return Optional.empty();
    }
    List<Entry> all = new ArrayList<>();
    if (tokensFile != null) {
      all.addAll(fromFile(tokensFile).entries);
    }
    if (hasSpec) {
      all.addAll(fromSpec(spec).entries);
    }
    return Optional.of(
        checked(
            tokensFile != null && hasSpec
                ? tokensFile + " and " + TOKENS_ENV
                : tokensFile != null ? tokensFile.toString() : TOKENS_ENV,
            all,
            new ArrayList<>()));
  }

  private static Optional<Entry> entry(JsonNode node, String at, List<String> problems) {
    if (node == null || !node.isObject()) {
      problems.add(at + ": an entry is {name, role, namespaces, sha256}");
      return Optional.empty();
    }
    for (Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!ENTRY_FIELDS.contains(field)) {
        problems.add(
            at
                + "."
                + field
                + ": unknown field"
                + (field.equals("token")
                    ? "; store only the hash, as sha256 (capstan token hash prints it)"
                    : "; an entry has name, role, namespaces and sha256"));
      }
    }
    List<String> namespaces = new ArrayList<>();
    JsonNode listed = node.get("namespaces");
    if (listed != null && listed.isArray()) {
      listed.forEach(ns -> namespaces.add(ns.isTextual() ? ns.asText().trim() : ns.toString()));
    } else if (listed != null && listed.isTextual()) {
      namespaces.add(listed.asText().trim());
    }
    return entry(
        at, text(node, "name"), text(node, "role"), namespaces, text(node, "sha256"), problems);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText().trim();
  }

  private static Optional<Entry> entry(
      String at,
      String name,
      String roleText,
      List<String> namespaces,
      String sha256,
      List<String> problems) {
    int before = problems.size();
    if (name == null || name.isEmpty()) {
      problems.add(at + ".name: required, the principal's name");
    }
    Optional<Role> role = Role.parse(roleText);
    if (role.isEmpty()) {
      problems.add(
          at
              + ".role: "
              + (roleText == null || roleText.isEmpty()
                  ? "required"
                  : "'" + roleText + "' is not a role")
              + ": use one of "
              + Role.labels());
    }
    if (namespaces.isEmpty()) {
      problems.add(at + ".namespaces: required, the namespaces it may use, or [\"*\"] for all");
    }
    for (String namespace : namespaces) {
      if (!namespace.equals(Principal.ALL_NAMESPACES) && !Principal.isNamespace(namespace)) {
        problems.add(
            at + ".namespaces: '" + namespace + "' is not a namespace (a DNS label) or \"*\"");
      }
    }
    Optional<byte[]> hash = TokenHashes.parseHex(sha256);
    if (hash.isEmpty()) {
      problems.add(
          at
              + ".sha256: "
              + (sha256 == null || sha256.isEmpty() ? "required" : "not 64 hex digits")
              + ": the hex SHA-256 of the token, as `capstan token hash` prints it");
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new Entry(new Principal(name, role.get(), new LinkedHashSet<>(namespaces)), hash.get()));
  }

  private static TokenRegistry checked(String source, List<Entry> entries, List<String> problems) {
    Set<String> names = new HashSet<>();
    List<byte[]> hashes = new ArrayList<>();
    for (Entry entry : entries) {
      if (!names.add(entry.principal().name())) {
        problems.add(
            "'" + entry.principal().name() + "' is named twice; give each token its own name");
      }
      for (byte[] hash : hashes) {
        if (MessageDigest.isEqual(hash, entry.hash())) {
          problems.add(
              "'"
                  + entry.principal().name()
                  + "' has the same token as another entry; give each"
                  + " principal its own token");
        }
      }
      hashes.add(entry.hash());
    }
    if (entries.isEmpty() && problems.isEmpty()) {
      problems.add("it lists no tokens, so nobody could use the API");
    }
    if (!problems.isEmpty()) {
      throw new InvalidTokensException(source, problems);
    }
    return new TokenRegistry(entries);
  }
}
