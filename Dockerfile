# syntax=docker/dockerfile:1
# The Runbooks worker image: `docker compose up` builds it from this checkout.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps Maven's downloads (and the wrapper's Maven) between builds.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl cli -am package -DskipTests

FROM eclipse-temurin:17-jre
# The PostgreSQL programs of the primary's major version (docker-compose.yml: postgres:15), from
# the PostgreSQL project's apt repository: pg_dump and pg_restore for backups, pg_receivewal for
# the WAL archiver, pg_basebackup for physical backups, and the server itself (postgres, pg_ctl,
# pg_waldump, pg_verifybackup, pg_amcheck) for point-in-time restores and PITR drills, which
# recover on the worker's host and need the same major version. The worker finds them by initdb,
# which only the server package has. No cluster is made in the image.
ARG PG_MAJOR=15
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        >/etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common \
    && echo "create_main_cluster = false" >>/etc/postgresql-common/createcluster.conf \
    && apt-get install -y --no-install-recommends "postgresql-${PG_MAJOR}" \
    && apt-get purge -y --auto-remove curl \
    && rm -rf /var/lib/apt/lists/*
# Not root: the worker needs no privileges, and its file secret store must be its own, mode 0600.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/runbooks runbooks
COPY --from=build /src/cli/target/runbook.jar /app/runbook.jar
USER runbooks
WORKDIR /var/lib/runbooks
ENTRYPOINT ["java", "-jar", "/app/runbook.jar", "worker"]
