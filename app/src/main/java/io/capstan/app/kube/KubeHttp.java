package io.capstan.app.kube;

import io.capstan.app.process.ManagedProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Readiness probes of the local control plane's processes over loopback HTTP(S). The components
 * serve their health endpoints with certificates they sign themselves at start, so the probe trusts
 * any certificate: it only ever talks to 127.0.0.1, to a process this JVM started, and reads a
 * health status, never a secret.
 */
final class KubeHttp {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .sslContext(trustAll())
          .sslParameters(noHostnameCheck())
          .build();

  private KubeHttp() {}

  /**
   * A readiness check that passes once {@code url} answers 200.
   *
   * @param what what the process does not serve yet, for the start's error message
   * @param token a bearer token to send, or null
   */
  static ManagedProcess.Readiness ok(String url, String what, String token) {
    return () -> {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      try {
        HttpResponse<String> response =
            CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200
            ? Optional.empty()
            : Optional.of(what + " (HTTP " + response.statusCode() + " from " + url + ")");
      } catch (IOException e) {
        return Optional.of(what + " (" + url + ")");
      }
    };
  }

  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the loopback probes' TLS context", e);
    }
  }

  private static SSLParameters noHostnameCheck() {
    SSLParameters parameters = new SSLParameters();
    parameters.setEndpointIdentificationAlgorithm(null);
    return parameters;
  }
}
