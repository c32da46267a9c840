package dev.vigil.http;

import io.vertx.ext.web.handler.HttpException;

/** Errors the API answers with, each with its status and a message a person can act on. */
public final class ApiError {
  private ApiError() {}

  public static HttpException badRequest(String message) {
    return new HttpException(400, message);
  }

  public static HttpException notFound(String message) {
    return new HttpException(404, message);
  }
}
