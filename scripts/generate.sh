#!/usr/bin/env bash
# Regenerates gen/ (Go) and web/src/gen/ (TypeScript) from proto/.
# Everything comes from the Go module proxy and npm: no Buf Schema Registry.
set -euo pipefail
cd "$(dirname "$0")/.."

PROTOVALIDATE_VERSION=v1.2.2
export PATH="$PWD/bin/tools:$PWD/web/node_modules/.bin:$PATH"

dir=$(go mod download -json "github.com/bufbuild/protovalidate@${PROTOVALIDATE_VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ]; then
  echo "generate: could not download github.com/bufbuild/protovalidate@${PROTOVALIDATE_VERSION}" >&2
  exit 1
fi
rm -rf .proto-deps
mkdir -p .proto-deps/buf/validate
cp "$dir/proto/protovalidate/buf/validate/validate.proto" .proto-deps/buf/validate/
chmod u+w .proto-deps/buf/validate/validate.proto

rm -rf gen web/src/gen
buf generate
