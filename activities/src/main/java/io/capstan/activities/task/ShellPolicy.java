package io.capstan.activities.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code shell} commands a worker runs, per namespace.
 *
 * <p>A command is allowed when shell is enabled and its {@code argv[0]} is in the allow-list of the
 * run's namespace, or of the {@code "*"} entry when the namespace has none of its own. Entries
 * match {@code argv[0]} exactly: a bare name ({@code python3}) matches only a bare {@code argv[0]},
 * found through the worker's {@code PATH}, and an absolute path ({@code /usr/bin/python3}) only
 * that path. The entry {@code "*"} inside a list allows every command. An empty {@code allow} map
 * allows every command in every namespace; a namespace with no entry and no {@code "*"} default may
 * run none.
 *
 * <p>The policy file ({@code --shell-policy FILE}) is YAML:
 *
 * <pre>{@code
 * enabled: true            # optional, default true
 * allow:
 *   "*": [echo]            # every namespace without its own entry
 *   team-a: [sh, python3]
 *   ops: ["*"]             # anything
 * }</pre>
 *
 * @param enabled whether {@code shell} tasks may start processes at all
 * @param allow namespace (or {@code "*"}) to the executables allowed there
 */
public record ShellPolicy(boolean enabled, Map<String, List<String>> allow) {
  /** The {@code allow} key for namespaces without an entry, and the list entry for "anything". */
  public static final String ANY = "*";

  /** The namespace of a run whose definition names none. */
  public static final String DEFAULT_NAMESPACE = "default";

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public ShellPolicy {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    if (allow != null) {
      allow.forEach((namespace, commands) -> copy.put(namespace, List.copyOf(commands)));
    }
    allow = Collections.unmodifiableMap(copy);
  }

  /** Shell off: every shell task fails with {@code ShellDisabled}. */
  public static ShellPolicy disabled() {
    return new ShellPolicy(false, Map.of());
  }

  /** Shell on, every command in every namespace. */
  public static ShellPolicy allowAll() {
    return new ShellPolicy(true, Map.of());
  }

  /**
   * Reads a policy file.
   *
   * @throws IllegalArgumentException naming the file and what to fix when it is unreadable or not a
   *     valid policy
   */
  public static ShellPolicy load(Path yaml) {
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the shell policy " + yaml + ": " + e.getMessage(), e);
    }
    return parse(text, yaml.toString());
  }

  /**
   * Parses policy YAML; {@code source} names it in error messages.
   *
   * @throws IllegalArgumentException saying where and what to fix
   */
  public static ShellPolicy parse(String yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "shell policy " + source + " is not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new IllegalArgumentException(
          "shell policy " + source + " is empty; write at least `allow: {\"*\": [sh]}`");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          "shell policy " + source + " must be a mapping with 'enabled' and 'allow'");
    }
    List<String> problems = new ArrayList<>();
    root.fieldNames()
        .forEachRemaining(
            name -> {
              if (!name.equals("enabled") && !name.equals("allow")) {
                problems.add(name + ": unknown field (the policy has 'enabled' and 'allow')");
              }
            });
    boolean enabled = true;
    JsonNode enabledNode = root.get("enabled");
    if (enabledNode != null && !enabledNode.isNull()) {
      if (enabledNode.isBoolean()) {
        enabled = enabledNode.booleanValue();
      } else {
        problems.add("enabled: must be true or false");
      }
    }
    Map<String, List<String>> allow = new LinkedHashMap<>();
    JsonNode allowNode = root.get("allow");
    if (allowNode != null && !allowNode.isNull()) {
      if (!allowNode.isObject()) {
        problems.add("allow: must map a namespace (or \"*\") to a list of commands");
      } else {
        Iterator<Map.Entry<String, JsonNode>> entries = allowNode.fields();
        while (entries.hasNext()) {
          Map.Entry<String, JsonNode> entry = entries.next();
          String path = "allow." + entry.getKey();
          if (!entry.getKey().equals(ANY) && !NAMESPACE.matcher(entry.getKey()).matches()) {
            problems.add(path + ": not a namespace (a DNS label) or \"*\"");
          }
          allow.put(entry.getKey(), commands(entry.getValue(), path, problems));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "shell policy " + source + " is invalid:\n  " + String.join("\n  ", problems));
    }
    return new ShellPolicy(enabled, allow);
  }

  private static List<String> commands(JsonNode node, String path, List<String> problems) {
    List<String> commands = new ArrayList<>();
    if (!node.isArray()) {
      problems.add(path + ": must be a list of commands, e.g. [sh, python3]");
      return commands;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String at = path + "[" + i + "]";
      if (!item.isTextual() || item.asText().isBlank()) {
        problems.add(at + ": must be a command name or an absolute path");
        continue;
      }
      String command = item.asText();
      if (command.contains("/") && !command.startsWith("/")) {
        problems.add(
            at
                + ": '"
                + command
                + "' is a relative path; use a bare name (found on PATH) or an absolute path");
        continue;
      }
      commands.add(command);
    }
    return commands;
  }

  /** The executables allowed in {@code namespace}; empty when none is. */
  public List<String> allowedIn(String namespace) {
    String ns = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    List<String> own = allow.get(ns);
    if (own != null) {
      return own;
    }
    return allow.getOrDefault(ANY, List.of());
  }

  /** Whether {@code executable} (a command's argv[0]) may run for a run in {@code namespace}. */
  public boolean allows(String namespace, String executable) {
    if (!enabled) {
      return false;
    }
    if (allow.isEmpty()) {
      return true;
    }
    List<String> allowed = allowedIn(namespace);
    return allowed.contains(ANY) || allowed.contains(executable);
  }

  /**
   * Why {@code executable} may not run in {@code namespace}, in words for the task's failure; empty
   * when it may. A disabled policy is reported by the caller as {@code ShellDisabled}.
   */
  public Optional<String> refusal(String namespace, String executable) {
    if (allows(namespace, executable)) {
      return Optional.empty();
    }
    String ns = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    List<String> allowed = allowedIn(ns);
    String which =
        allowed.isEmpty()
            ? "no shell commands are allowed there"
            : "allowed are " + String.join(", ", allowed);
    return Optional.of(
        "command '"
            + executable
            + "' is not allowed for namespace '"
            + ns
            + "': "
            + which
            + "; ask an admin to add it to the shell policy");
  }
}
