//go:build !ui

// Package web holds the built UI for binaries that carry it inside
// (`make dist` builds with the ui tag after `npm run build`).
package web

import "io/fs"

// UI is the built UI, or nil in a build without it: such a catalog serves the
// UI from --ui-dir.
var UI fs.FS
