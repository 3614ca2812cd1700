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
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(git describe --always --dirty 2>/dev/null || echo docker)" -o /out/deskgate ./cmd/deskgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/deskgate /usr/local/bin/deskgate
COPY --from=build --chown=65532:65532 /out/root/ /
ENV DESKGATE_DATA_DIR=/data \
    DESKGATE_HTTP_ADDR=0.0.0.0:8080 \
    DESKGATE_SMTP_ADDR=0.0.0.0:2525
VOLUME /data
EXPOSE 8080 2525
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/deskgate"]
CMD ["serve"]
