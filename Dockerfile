# Multi-stage build: a static binary on a minimal, non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(git describe --always --dirty 2>/dev/null || echo docker)" -o /out/deskgate ./cmd/deskgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/deskgate /usr/local/bin/deskgate
ENV DESKGATE_DATA_DIR=/data \
    DESKGATE_HTTP_ADDR=0.0.0.0:8080 \
    DESKGATE_SMTP_ADDR=0.0.0.0:2525
VOLUME /data
EXPOSE 8080 2525
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/deskgate"]
CMD ["serve"]
