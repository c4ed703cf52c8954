//go:build ui

// Package web holds the built UI for binaries that carry it inside
// (`make dist` builds with the ui tag after `npm run build`).
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// UI is the built UI, or nil in a build without it.
var UI, _ = fs.Sub(dist, "dist")
