# Build: the Maven image compiles and packages target/vigil.jar (tests run in CI, not here).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# Run: a JRE and curl, a non-root user, config and runbooks mountable, state on a volume.
# The shipped runbooks' exec steps call kubectl, systemctl and clean-tmp, which this image does not hold:
# build FROM this image and add the tools your runbooks run (docs/operations.md#docker).
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app vigil
WORKDIR /app
COPY --from=build /src/target/vigil.jar /app/vigil.jar
COPY config /app/config
COPY runbooks /app/runbooks
RUN mkdir -p /app/data && chown -R vigil /app/data
USER vigil
ENV VIGIL_HOST=0.0.0.0
# The heap follows the container's memory limit (75 % of it) instead of a quarter of the host's memory;
# override with JAVA_TOOL_OPTIONS. Logs are JSON (stdout is not a terminal): set log.format to change it.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["java", "-jar", "/app/vigil.jar"]
CMD ["serve", "--config", "/app/config/vigil.yaml"]
