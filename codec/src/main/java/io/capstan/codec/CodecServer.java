package io.capstan.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The logic of Temporal's codec server protocol, which the Web UI and the CLI call to show
 * encrypted payloads: {@code POST <endpoint>/encode} and {@code POST <endpoint>/decode} take and
 * answer {@code {"payloads": [{"metadata": {"encoding": "<base64>", ...}, "data": "<base64>"}]}}
 * (the protobuf JSON form of {@code Payloads}). This class knows no HTTP: a front end maps the two
 * routes to {@link #encode} and {@link #decode}, answers {@link CodecRequestException} with 400,
 * and puts its own authentication and CORS in front.
 */
public final class CodecServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PayloadCodec codec;

  public CodecServer(PayloadCodec codec) {
    this.codec = codec;
  }

  /**
   * Encodes every payload of the request body.
   *
   * @return the response body, {@code {"payloads": [...]}} in the request's order
   * @throws CodecRequestException when the body is not codec server JSON
   */
  public String encode(String json) {
    return answer(json, codec::encode, "encode");
  }

  /**
   * Decodes every payload of the request body; payloads that are not encrypted come back unchanged.
   *
   * @return the response body, {@code {"payloads": [...]}} in the request's order
   * @throws CodecRequestException when the body is not codec server JSON, or a payload cannot be
   *     decrypted (unknown key id, tampered data)
   */
  public String decode(String json) {
    return answer(json, codec::decode, "decode");
  }

  private static String answer(String json, UnaryOperator<List<Payload>> operation, String verb) {
    List<Payload> payloads = read(json);
    List<Payload> result;
    try {
      result = operation.apply(payloads);
    } catch (PayloadCodecException e) {
      throw new CodecRequestException("cannot " + verb + " the payloads: " + e.getMessage(), e);
    }
    return write(result);
  }

  static List<Payload> read(String json) {
    if (json == null || json.isBlank()) {
      throw new CodecRequestException(
          "the body is empty; send {\"payloads\": [{\"metadata\": {...}, \"data\": \"<base64>\"}]}");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CodecRequestException(
          "the body is not JSON: " + e.getOriginalMessage() + " (line " + line(e) + ")");
    }
    if (root == null || !root.isObject()) {
      throw new CodecRequestException("the body must be a JSON object with a 'payloads' array");
    }
    JsonNode array = root.get("payloads");
    if (array == null || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw new CodecRequestException("payloads: must be an array");
    }
    List<Payload> payloads = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      payloads.add(payload(array.get(i), "payloads[" + i + "]"));
    }
    return payloads;
  }

  private static Payload payload(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new CodecRequestException(path + ": must be an object with 'metadata' and 'data'");
    }
    Payload.Builder builder = Payload.newBuilder();
    JsonNode metadata = node.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        throw new CodecRequestException(path + ".metadata: must be an object of base64 strings");
      }
      Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        builder.putMetadata(
            field.getKey(), bytes(field.getValue(), path + ".metadata." + field.getKey()));
      }
    }
    JsonNode data = node.get("data");
    if (data != null && !data.isNull()) {
      builder.setData(bytes(data, path + ".data"));
    }
    return builder.build();
  }

  /** Protobuf's JSON form accepts both the standard and the URL-safe base64 alphabets. */
  private static ByteString bytes(JsonNode node, String path) {
    if (!node.isTextual()) {
      throw new CodecRequestException(path + ": must be a base64 string");
    }
    String text = node.asText();
    try {
      Base64.Decoder decoder =
          text.indexOf('-') >= 0 || text.indexOf('_') >= 0
              ? Base64.getUrlDecoder()
              : Base64.getDecoder();
      return ByteString.copyFrom(decoder.decode(text));
    } catch (IllegalArgumentException e) {
      throw new CodecRequestException(path + ": not valid base64 (" + e.getMessage() + ")");
    }
  }

  static String write(List<Payload> payloads) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode array = root.putArray("payloads");
    Base64.Encoder base64 = Base64.getEncoder();
    for (Payload payload : payloads) {
      ObjectNode node = array.addObject();
      ObjectNode metadata = node.putObject("metadata");
      payload
          .getMetadataMap()
          .forEach((key, value) -> metadata.put(key, base64.encodeToString(value.toByteArray())));
      node.put("data", base64.encodeToString(payload.getData().toByteArray()));
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // A tree of strings always serialises; reaching this is a bug, not a bad request.
      throw new IllegalStateException(e);
    }
  }

  private static int line(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }
}
