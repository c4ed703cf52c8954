// Package version says which build of TallyCat is running.
package version

import "runtime/debug"

// Version is set at link time by `make dist` (-X); otherwise it is taken from
// the module's build information.
var Version = ""

// String returns the version, "devel" with the VCS revision when unknown.
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}
