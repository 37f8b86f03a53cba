package io.capstan.definitions.executor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One environment variable of a {@code shell} or {@code container} task: a literal {@code value},
 * or a {@code secretRef} naming a secret that the worker resolves when the task runs. A secret's
 * value is never part of a definition, so it never enters workflow inputs or history. Exactly one
 * of the two is set in a validated definition.
 *
 * <p>In YAML, {@code env} is either the map {@code {NAME: value}} (values only) or the list {@code
 * [{name: NAME, value: x}, {name: NAME, secretRef: secret-name}]}; both bind to {@code
 * List<EnvVar>} through {@link ListReader}.
 */
public record EnvVar(String name, String value, String secretRef) {

  /** A variable with a literal value. */
  public static EnvVar of(String name, String value) {
    return new EnvVar(name, value, null);
  }

  /** A variable whose value is the secret {@code secretRef}, resolved by the worker. */
  public static EnvVar secret(String name, String secretRef) {
    return new EnvVar(name, null, secretRef);
  }

  /** The variables of the map form, in the map's order. */
  public static List<EnvVar> fromMap(Map<String, String> env) {
    List<EnvVar> vars = new ArrayList<>();
    if (env != null) {
      env.forEach((name, value) -> vars.add(of(name, value)));
    }
    return List.copyOf(vars);
  }

  /** Whether the value comes from a secret. Not a property: it says nothing the fields do not. */
  @JsonIgnore
  public boolean isSecret() {
    return secretRef != null;
  }

  /**
   * This variable with {@code render} applied to its value. A secret reference is a name, never
   * rendered, so no parameter can redirect a task to another secret.
   */
  public EnvVar render(UnaryOperator<String> render) {
    return isSecret() ? this : new EnvVar(name, render.apply(value), null);
  }

  /** The literal values of {@code env} by name, leaving out secrets. */
  public static Map<String, String> literals(List<EnvVar> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (EnvVar var : env) {
      if (!var.isSecret() && var.value() != null) {
        values.put(var.name(), var.value());
      }
    }
    return values;
  }

  /**
   * Reads {@code env} in either form: a map of name to value, or a list of {@link EnvVar}. The map
   * form is what definitions wrote before secrets existed, so histories recorded then still read.
   */
  public static final class ListReader extends JsonDeserializer<List<EnvVar>> {
    @Override
    public List<EnvVar> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (parser.currentToken() == JsonToken.START_OBJECT
          || parser.currentToken() == JsonToken.FIELD_NAME) {
        JavaType map =
            context
                .getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, String.class);
        Map<String, String> values = context.readValue(parser, map);
        return fromMap(values);
      }
      JavaType list = context.getTypeFactory().constructCollectionType(List.class, EnvVar.class);
      List<EnvVar> vars = context.readValue(parser, list);
      return vars == null ? List.of() : vars;
    }

    @Override
    public List<EnvVar> getNullValue(DeserializationContext context) {
      return List.of();
    }
  }
}
