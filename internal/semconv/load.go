package semconv

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Limits on what one registry may hold. A registry is configuration, far
// below these; they only keep a wrong path (or an archive bomb) from filling
// memory at start.
const (
	maxFileBytes  = 32 << 20
	maxTotalBytes = 256 << 20
)

// Load returns a new registry: r with the registry at path layered on top
// (see the package documentation for the rule). The path is a directory of
// .yaml files (read recursively, skipping hidden directories), a .zip or a
// .tar.gz (.tgz) of the same, or a single .yaml file. r is not changed;
// a nil r is the empty registry.
func (r *Registry) Load(path string) (*Registry, error) {
	files, err := readSource(path)
	if err != nil {
		return nil, err
	}
	return r.LoadFiles(path, files)
}

// LoadFS is Load for a registry in a file system, such as an embedded one;
// name names the layer in Sources and errors.
func (r *Registry) LoadFS(name string, fsys fs.FS) (*Registry, error) {
	files, err := readFS(name, fsys)
	if err != nil {
		return nil, err
	}
	return r.LoadFiles(name, files)
}

// LoadFiles is Load for files already in memory: their contents by the name
// errors should give them. It is what the other loaders end in, and what
// tests use to write a broken registry in a few lines.
func (r *Registry) LoadFiles(name string, files map[string][]byte) (*Registry, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var parsed []*rawFile
	var errs []*Error
	for _, n := range names {
		f, ferrs := parseFile(n, files[n])
		errs = append(errs, ferrs...)
		if f != nil {
			parsed = append(parsed, f)
		}
	}
	if len(errs) > 0 {
		// Resolving a layer with broken files would only add errors that
		// follow from these.
		return nil, joinErrors(errs)
	}
	return build(r, Source{Name: name}, parsed)
}

// isRegistryFile reports whether a file name is one a registry's YAML can
// be in.
func isRegistryFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

func readSource(p string) (map[string][]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	switch {
	case st.IsDir():
		files, err := readFS(p, os.DirFS(p))
		if err != nil {
			return nil, err
		}
		// Name files by their path, so an error can be opened as it reads.
		named := make(map[string][]byte, len(files))
		for n, data := range files {
			named[filepath.Join(p, filepath.FromSlash(strings.TrimPrefix(n, p+"/")))] = data
		}
		return named, nil
	case strings.HasSuffix(p, ".zip"):
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", p, err)
		}
		defer zr.Close()
		return readFS(p+"!", zr)
	case strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz"):
		return readTarGz(p)
	case isRegistryFile(p):
		data, err := readLimited(p, os.Open)
		if err != nil {
			return nil, err
		}
		return map[string][]byte{p: data}, nil
	}
	return nil, fmt.Errorf("registry %s: not a directory, .zip, .tar.gz or .yaml file", p)
}

// readFS reads every registry file of a file system, naming each
// prefix/relative-path.
func readFS(prefix string, fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	total := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !isRegistryFile(name) {
			return nil
		}
		data, err := readLimited(name, func(n string) (io.ReadCloser, error) { return fsys.Open(n) })
		if err != nil {
			return err
		}
		if total += len(data); total > maxTotalBytes {
			return fmt.Errorf("more than %d MiB of YAML", maxTotalBytes>>20)
		}
		files[prefix+"/"+name] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", prefix, err)
	}
	return files, nil
}

func readLimited[F io.ReadCloser](name string, open func(string) (F, error)) ([]byte, error) {
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxFileBytes>>20)
	}
	return data, nil
}

func readTarGz(p string) (map[string][]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", p, err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	total := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", p, err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg || !isRegistryFile(name) || hidden(name) {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxFileBytes+1))
		if err != nil {
			return nil, fmt.Errorf("registry %s: %s: %w", p, name, err)
		}
		if len(data) > maxFileBytes {
			return nil, fmt.Errorf("registry %s: %s: larger than %d MiB", p, name, maxFileBytes>>20)
		}
		if total += len(data); total > maxTotalBytes {
			return nil, fmt.Errorf("registry %s: more than %d MiB of YAML", p, maxTotalBytes>>20)
		}
		files[p+"!/"+name] = data
	}
}

// hidden reports whether a path in an archive is under a hidden directory,
// which a directory walk would skip too.
func hidden(name string) bool {
	dirs := strings.Split(path.Dir(name), "/")
	for _, d := range dirs {
		if strings.HasPrefix(d, ".") && d != "." {
			return true
		}
	}
	return false
}
