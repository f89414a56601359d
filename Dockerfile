# keyaudit's container image: one static binary on an empty base (no shell, no package manager,
# no git: keyaudit reads repositories with gix). Build from the repository's top:
#   docker build -t localhost/keyaudit .        (or podman build)
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/src" localhost/keyaudit scan .
# The work directory is /src; the default user is unprivileged (65532). Pass -u with your own
# ids when keyaudit writes a report into the mounted directory.

# The builder's image: any Rust toolchain on glibc (libc6-dev) or musl.
ARG RUST_IMAGE=docker.io/library/rust:1-bookworm

FROM ${RUST_IMAGE} AS build
WORKDIR /build
COPY . .
RUN .ci/build-static /out && /out/keyaudit --version

FROM scratch
COPY --from=build /out/keyaudit /usr/local/bin/keyaudit
ENV PATH=/usr/local/bin
WORKDIR /src
USER 65532:65532
ENTRYPOINT ["keyaudit"]
CMD ["scan", "."]
