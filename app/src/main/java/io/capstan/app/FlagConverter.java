package io.capstan.app;

import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a flag's value with a parser that throws {@link IllegalArgumentException} naming what is
 * wrong; picocli turns that into a usage error, so a bad value never becomes a stack trace.
 * Subclasses only name the parser (picocli instantiates converters by class).
 */
public abstract class FlagConverter<T> implements ITypeConverter<T> {
  private final Function<String, T> parser;

  protected FlagConverter(Function<String, T> parser) {
    this.parser = parser;
  }

  @Override
  public T convert(String value) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
