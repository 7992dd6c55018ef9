# syntax=docker/dockerfile:1
#
# The `sinch-auth` binary (CLI and token service) on a slim Debian.
#
#   docker build -t sinch-auth .
#   docker run --rm -p 8080:8080 -v sinch-auth-data:/var/lib/sinch-auth sinch-auth
#
# Runs `sinch-auth serve` as uid 10001, API on :8080, admin (/livez, /readyz,
# /metrics) on :9090, accounts in SQLite on the volume unless
# SINCH_AUTH_DATABASE_URL(_FILE) names PostgreSQL. docs/deploy.md walks
# through it; .ci/deploy-checks.sh lints this file and runs the binary in a
# Debian root holding only what the runtime stage below puts there.

# Pinned: the toolchain CI builds with, and the Debian release both stages
# share (the binary links against the build stage's glibc).
ARG RUST_VERSION=1.95.0
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
# --locked: exactly the dependency versions in Cargo.lock. The `dist` profile
# strips the binary. The caches only speed up rebuilds; the binary leaves the
# cached target directory for /out.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --profile dist -p sinch-auth-cli \
    && install -D -m 0755 target/dist/sinch-auth /out/sinch-auth

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# A fixed, numeric uid/gid: volume ownership, Kubernetes' runAsUser and
# runAsNonRoot all need to know it. No packages are added: TLS roots are
# compiled into the binary, and it needs only glibc and libgcc_s.
ARG UID=10001
RUN groupadd --gid "${UID}" sinch-auth \
    && useradd --no-log-init --uid "${UID}" --gid sinch-auth --no-create-home \
        --home-dir /var/lib/sinch-auth --shell /usr/sbin/nologin sinch-auth \
    && install -d -o sinch-auth -g sinch-auth -m 0700 /var/lib/sinch-auth
COPY --from=build /out/sinch-auth /usr/local/bin/sinch-auth
# XDG_DATA_HOME puts the default SQLite database at
# /var/lib/sinch-auth/sinch-auth.db, on the volume, while leaving
# SINCH_AUTH_DATABASE_URL unset so that SINCH_AUTH_DATABASE_URL_FILE (a
# PostgreSQL URL mounted as a secret) is free to name the database.
ENV SINCH_AUTH_LISTEN=0.0.0.0:8080 \
    SINCH_AUTH_ADMIN_LISTEN=0.0.0.0:9090 \
    SINCH_AUTH_LOG_FORMAT=json \
    XDG_DATA_HOME=/var/lib
VOLUME ["/var/lib/sinch-auth"]
EXPOSE 8080 9090
USER 10001:10001
# `sinch-auth healthcheck` GETs /readyz on $SINCH_AUTH_ADMIN_LISTEN: no curl
# in the image. Exit 0 healthy, 1 not.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["sinch-auth", "healthcheck", "--timeout", "4"]
ENTRYPOINT ["sinch-auth"]
CMD ["serve"]
