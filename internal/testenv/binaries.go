package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
)

// BinEnv names the folder that holds the repository's commands already
// built: `make test` builds them there once before the tests, so that the
// test packages that run them as processes (running two at a time) do not
// each compile the same binaries, at once, from an empty build cache.
const BinEnv = "TALLYCAT_TEST_BIN"

// Binaries returns a folder holding the commands pkgs (package paths
// relative to the repository's root, "./cmd/tallycat"), and a function
// that removes it when it is the caller's. It is $TALLYCAT_TEST_BIN when
// that holds every one of them; otherwise they are built from root into
// a fresh folder, so that `go test` alone needs nothing else.
func Binaries(root string, pkgs ...string) (string, func(), error) {
	if dir := os.Getenv(BinEnv); dir != "" && holdsAll(dir, pkgs) {
		return dir, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "tallycat-test-bin")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	build := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building %v: %v\n%s", pkgs, err, out)
	}
	return dir, cleanup, nil
}

func holdsAll(dir string, pkgs []string) bool {
	for _, p := range pkgs {
		if fi, err := os.Stat(filepath.Join(dir, path.Base(p))); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}
