package dev.vigil.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.TestDaemon;
import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls}: Vigil serves HTTPS itself from PEM files. The certificate is made for the
 * test by the JDK's keytool (self-signed, for 127.0.0.1) and written out as PEM.
 */
class TlsListenerTest {
  @TempDir Path dir;

  /**
   * Writes tls/cert.pem and tls/key.pem under {@code dir}; returns the certificate, for the client
   * to trust.
   */
  static Certificate selfSigned(Path dir) throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Path p12 = tls.resolve("vigil.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "vigil",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue())
        .as(new String(keytool.getInputStream().readAllBytes()))
        .isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, "changeit".toCharArray());
    }
    Certificate cert = ks.getCertificate("vigil");
    Files.writeString(tls.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(
        tls.resolve("key.pem"),
        pem("PRIVATE KEY", ks.getKey("vigil", "changeit".toCharArray()).getEncoded()));
    return cert;
  }

  static String pem(String kind, byte[] der) {
    return "-----BEGIN "
        + kind
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + kind
        + "-----\n";
  }

  static HttpClient trusting(Certificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("vigil", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void withTlsConfiguredTheListenerSpeaksHttpsAndNotPlainHttp() throws Exception {
    Certificate cert = selfSigned(dir);
    try (TestDaemon d =
        TestDaemon.start(
            dir,
            "server: {host: 127.0.0.1, port: 0, tls: {certFile: ../tls/cert.pem, keyFile: ../tls/key.pem}}\n")) {
      HttpResponse<String> r =
          trusting(cert)
              .send(
                  HttpRequest.newBuilder(
                          URI.create("https://127.0.0.1:" + d.daemon.port() + "/healthz"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.sslSession())
          .get()
          .extracting(s -> s.getProtocol())
          .asString()
          .startsWith("TLSv1.");
      assertThatThrownBy(() -> d.get("/healthz"))
          .as("plain HTTP gets no answer")
          .isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void tlsFilesAreCheckedWhenTheConfigLoads() throws Exception {
    selfSigned(dir);
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.writeString(
        config,
        """
        server:
          tls: {certFile: ../tls/key.pem, keyFile: ../tls/missing.pem}
        """);
    assertThatThrownBy(() -> new ConfigLoader(k -> null).load(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            config
                + ":2:19: server.tls.certFile: "
                + dir.resolve("tls/key.pem")
                + " is not a PEM file with a CERTIFICATE (expected a -----BEGIN ...CERTIFICATE----- block)")
        .hasMessageContaining(
            config
                + ":2:44: server.tls.keyFile: cannot read "
                + dir.resolve("tls/missing.pem")
                + ": no such file");
    Files.writeString(config, "server:\n  tls: {certFile: ../tls/cert.pem}\n");
    assertThatThrownBy(() -> new ConfigLoader(k -> null).load(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(config + ":2:8: server.tls: missing required key \"keyFile\"");
  }
}
