# syntax=docker/dockerfile:1
# Multi-stage build of TallyCat: Node builds the UI, Go (with cgo, for
# DuckDB) builds the binaries with the UI inside, and a slim Debian image
# runs them. Targets: catalog, ingest, demo.

FROM node:20-bookworm AS ui
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/web/dist web/dist
ARG VERSION=devel
RUN CGO_ENABLED=1 go build -tags ui -trimpath \
      -ldflags "-s -w -X github.com/tallycat/tallycat/internal/version.Version=${VERSION}" \
      -o /out/ ./services/catalog/cmd/tallycat-catalog ./services/ingest/cmd/tallycat-ingest ./cmd/tallycat-demo

# DuckDB needs glibc and libstdc++, which bookworm-slim has.
FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data tallycat \
    && mkdir /data && chown tallycat /data
USER tallycat

FROM runtime AS catalog
COPY --from=build /out/tallycat-catalog /usr/local/bin/
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["tallycat-catalog", "--db", "/data/tallycat.duckdb"]

FROM runtime AS ingest
COPY --from=build /out/tallycat-ingest /usr/local/bin/
EXPOSE 4317 4318
ENTRYPOINT ["tallycat-ingest"]

FROM runtime AS demo
COPY --from=build /out/tallycat-demo /usr/local/bin/
ENTRYPOINT ["tallycat-demo"]
