/**
 * Hostile input for the API: fuzzed definitions sent to validate and submit ({@code ApiFuzzTest})
 * and the OpenAPI document checked against the routes and their answers ({@code
 * OpenApiDocumentTest}). The generator is the definitions module's ({@code
 * io.capstan.definitions.fuzz}), shared through its test-jar.
 */
package io.capstan.api.fuzz;
