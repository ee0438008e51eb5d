# syntax=docker/dockerfile:1
# The Runbooks worker image: `docker compose up` builds it from this checkout.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps Maven's downloads (and the wrapper's Maven) between builds.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl cli -am package -DskipTests

FROM eclipse-temurin:17-jre
# pg_dump, pg_restore and pg_basebackup for the backup, restore and failover runbooks. pg_dump
# and pg_restore read from servers of their own major version and older ones.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# Not root: the worker needs no privileges, and its file secret store must be its own, mode 0600.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/runbooks runbooks
COPY --from=build /src/cli/target/runbook.jar /app/runbook.jar
USER runbooks
WORKDIR /var/lib/runbooks
ENTRYPOINT ["java", "-jar", "/app/runbook.jar", "worker"]
