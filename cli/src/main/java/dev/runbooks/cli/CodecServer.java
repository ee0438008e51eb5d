package dev.runbooks.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Temporal's codec-server protocol over the payload codec: {@code POST /encode} and {@code POST
 * /decode} (also under {@code /NAMESPACE/}), each a proto3-JSON {@code {"payloads": [...]}} in and
 * out. Every request but a CORS preflight must carry {@code Authorization: Bearer TOKEN}; the
 * answers allow the configured origins (the Temporal UI's), so the UI shows runs in plain text to
 * whoever holds the token and to nobody with only access to the Temporal service.
 */
final class CodecServer implements AutoCloseable {
  private static final int MAX_BODY = 16 << 20;

  private final HttpServer server;
  private final ExecutorService executor;
  private final PayloadCodec codec;
  private final byte[] token;
  private final List<String> origins;

  private CodecServer(HttpServer server, PayloadCodec codec, String token, List<String> origins) {
    this.server = server;
    this.codec = codec;
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.origins = List.copyOf(origins);
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Listens on {@code address} (port 0: a free one) and serves until closed. */
  static CodecServer start(
      InetSocketAddress address, PayloadCodec codec, String token, List<String> origins)
      throws IOException {
    CodecServer codecServer = new CodecServer(HttpServer.create(address, 0), codec, token, origins);
    codecServer.server.start();
    return codecServer;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      cors(exchange);
      String method = exchange.getRequestMethod();
      if (method.equals("OPTIONS")) {
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      boolean encode = path.endsWith("/encode");
      if (!encode && !path.endsWith("/decode")) {
        send(exchange, 404, "not found: the codec server answers POST /encode and POST /decode");
        return;
      }
      if (!method.equals("POST")) {
        send(exchange, 405, path + " takes POST");
        return;
      }
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        send(
            exchange,
            401,
            "no valid access token: send Authorization: Bearer TOKEN with the codec server's"
                + " token");
        return;
      }
      answer(exchange, encode);
    }
  }

  private void answer(HttpExchange exchange, boolean encode) throws IOException {
    Payloads.Builder request = Payloads.newBuilder();
    try (InputStream body = exchange.getRequestBody()) {
      byte[] bytes = body.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        send(exchange, 413, "the body is over " + MAX_BODY + " bytes");
        return;
      }
      JsonFormat.parser()
          .ignoringUnknownFields()
          .merge(new String(bytes, StandardCharsets.UTF_8), request);
    } catch (InvalidProtocolBufferException e) {
      send(
          exchange, 400, "the body is not {\"payloads\": [...]} in proto3 JSON: " + e.getMessage());
      return;
    }
    Payloads result;
    try {
      result =
          Payloads.newBuilder()
              .addAllPayloads(
                  encode
                      ? codec.encode(request.getPayloadsList())
                      : codec.decode(request.getPayloadsList()))
              .build();
    } catch (PayloadCodecException e) {
      send(exchange, 400, e.getMessage());
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    byte[] json = JsonFormat.printer().print(result).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, json.length);
    exchange.getResponseBody().write(json);
  }

  private boolean authorized(HttpExchange exchange) {
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  private void cors(HttpExchange exchange) {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin == null || !(origins.contains(origin) || origins.contains("*"))) {
      return;
    }
    var headers = exchange.getResponseHeaders();
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Vary", "Origin");
    headers.set("Access-Control-Allow-Credentials", "true");
    headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
    headers.set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization");
  }

  private static void send(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
