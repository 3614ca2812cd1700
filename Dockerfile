# Multi-stage build: a static binary on a minimal, non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The data volume must be writable by the nonroot user (uid 65532) the image runs
# as: a VOLUME created at run time is root-owned unless the image already has it.
# /out/root/data is copied as an entry of / below, so --chown applies to the
# directory itself, not only to its (absent) contents.
RUN mkdir -p /out/root/data && chown 65532:65532 /out/root/data
# The version and commit come from Go's build information (deskgate version);
# VERSION overrides the version (e.g. --build-arg VERSION=v0.1.0 for a release).
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${VERSION:+-X main.version=$VERSION}" -o /out/deskgate ./cmd/deskgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/deskgate /usr/local/bin/deskgate
COPY --from=build --chown=65532:65532 /out/root/ /
# DESKGATE_PUBLIC_URL starts the links in emails (setup, password links):
# set it to the URL users open (docker run -e DESKGATE_PUBLIC_URL=https://…).
ENV DESKGATE_DATA_DIR=/data \
    DESKGATE_HTTP_ADDR=0.0.0.0:8080 \
    DESKGATE_SMTP_ADDR=0.0.0.0:2525 \
    DESKGATE_PUBLIC_URL=http://localhost:8080
VOLUME /data
EXPOSE 8080 2525
USER nonroot:nonroot
# No shell or curl in a distroless image: the binary checks itself.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/usr/local/bin/deskgate", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/deskgate"]
CMD ["serve"]
