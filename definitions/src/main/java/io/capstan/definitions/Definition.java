package io.capstan.definitions;

/** A parsed and validated Capstan document of one of the kinds in {@link DefinitionKinds}. */
public interface Definition {
  String API_VERSION = "capstan.io/v1";

  String apiVersion();

  String kind();

  Metadata metadata();
}
