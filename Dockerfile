# ncp in Debian 12: runtime, dependency, build, test and runtime stages. Normally driven by
# scripts/docker-test, which also makes debian:bookworm locally when no image registry can be
# reached and builds with --network=host (the build installs Debian packages).
#
#   docker build --network=host --target test -t ncp:test .
#   docker run --rm --security-opt seccomp=scripts/docker-seccomp.json \
#              --security-opt systempaths=unconfined ncp:test
#   docker build --network=host --target runtime -t ncp:runtime .
#
# CI (NCP_DOCKER_PREBUILT) builds only `deps` and `runtime-base` and runs the suite of the
# build tree it already made on the host (Debian 12 too), mounted at the same paths: the same
# tests in the same container, without compiling everything a second time.

# --- runtime-base: what ncp needs at run time (first: the legacy builder builds every stage
# before its target, and this one needs nothing else) ----------------------------------------
FROM debian:bookworm AS runtime-base
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libseccomp2 libcap-ng0 libboost-program-options1.74.0 \
 && rm -rf /var/lib/apt/lists/*

# --- deb-test (before deps and build: the legacy builder builds every stage before its
# target, and this one needs neither): a bare Debian 12 with only what building the examples needs, where
# scripts/docker-test installs the .deb files of scripts/build-debs, builds and runs the
# examples against /usr and purges the packages (tests/install/deb_install_test.sh) ---------
FROM debian:bookworm AS deb-test
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      gcc libc6-dev make cmake pkg-config \
 && rm -rf /var/lib/apt/lists/*

# --- deps: what building and testing needs ------------------------------------------------
FROM debian:bookworm AS deps
# install-deps first and alone, so the package layer stays cached while the sources change.
COPY scripts/install-deps /src/scripts/install-deps
RUN /src/scripts/install-deps && rm -rf /var/lib/apt/lists/*

# --- build: the build tree, and an install staged under /stage ----------------------------
FROM deps AS build
COPY . /src
RUN /src/scripts/build /build -DNCP_BUILD_BENCH=OFF \
 && DESTDIR=/stage cmake --install /build --prefix /usr/local >/dev/null

# --- test: the README's test command, as root and (for the tests that say so) as nobody -----
# The suite is the image's command and NOT a RUN step: `docker build` gives RUN steps no way
# to create user, mount or pid namespaces, which the sandbox tests need. scripts/docker-test
# runs it with `docker run` and the security options the README explains.
FROM build AS test
ENV NCP_BUILD_DIR=/build NCP_TESTS_MUST_WORK=1
WORKDIR /src
CMD ["scripts/test"]

# --- runtime: ncp-launch, the libraries, the helper, headers, profiles and man pages --------
FROM runtime-base AS runtime
COPY --from=build /stage/usr/local/ /usr/local/
RUN ldconfig
CMD ["ncp-launch", "--help"]
