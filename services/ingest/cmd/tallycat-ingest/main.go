// Command tallycat-ingest receives OTLP metrics, traces and logs (gRPC on
// 4317, HTTP on 4318), infers the shape of every data point, span and log
// record and forwards what is new to the catalog in batches. It keeps no
// state that matters across restarts, so many replicas can run behind a
// Collector.
package main

import (
	"github.com/tallycat/tallycat/internal/cli"
	"github.com/tallycat/tallycat/services/ingest/server"
)

// main is only the process around the ingest: the ingest itself lives in
// package server, so that the end-to-end tests can start it in their own
// process.
func main() {
	cli.Main("tallycat-ingest", &server.Main{Config: server.DefaultConfig()})
}
