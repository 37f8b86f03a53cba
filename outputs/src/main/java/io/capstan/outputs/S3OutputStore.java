package io.capstan.outputs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Outputs in an S3 bucket (or anything that speaks S3: MinIO, moto), for workers and an API on
 * different hosts. Credentials come from the AWS SDK's default provider chain and never pass
 * through Capstan's configuration, history or logs. A PUT is atomic in S3, so readers see a whole
 * object or none.
 */
public final class S3OutputStore implements OutputStore, AutoCloseable {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3OutputStore(S3Client s3, String bucket, String prefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix =
        prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? nz(prefix) : prefix + "/";
  }

  /**
   * A client for {@code region} (the default chain's when null), talking to {@code endpoint} when
   * given (path-style addressing then, as MinIO and moto need).
   */
  public static S3OutputStore connect(String bucket, String prefix, URI endpoint, String region) {
    var builder = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    if (region != null && !region.isBlank()) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint).forcePathStyle(true);
    }
    return new S3OutputStore(builder.build(), bucket, prefix);
  }

  @Override
  public void put(String key, Path file) throws IOException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(objectKey(key)), RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw new IOException("could not store " + where(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(objectKey(key)));
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new NoSuchFileException(where(key));
    } catch (SdkException e) {
      throw new IOException("could not read " + where(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public void close() {
    s3.close();
  }

  private String objectKey(String key) {
    return prefix + OutputKeys.checked(key);
  }

  private String where(String key) {
    return "s3://" + bucket + "/" + objectKey(key);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
