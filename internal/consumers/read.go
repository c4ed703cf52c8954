package consumers

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Set is what reading a file or a folder found.
type Set struct {
	Consumers []Consumer
	// Ignored are the files of none of the formats: a Grafana provisioning
	// provider's or datasource's configuration, a README.
	Ignored []string
	// Errors are the files that could not be read, each a *SourceError.
	// A sync must not take the consumers of such a file for gone.
	Errors []error
}

// Err joins the set's errors, nil when there are none.
func (s Set) Err() error { return errors.Join(s.Errors...) }

// ReadDocument reads one document of any of the formats, telling which by
// its content: a Grafana dashboard, Grafana alert rules, Prometheus rules
// or a Perses dashboard. A document of none returns ErrUnknownFormat.
func ReadDocument(source string, b []byte, opts Options) ([]Consumer, error) {
	roots, err := parseDocument(source, b)
	if err != nil {
		return nil, err
	}
	var out []Consumer
	for _, root := range roots {
		switch {
		case isGrafanaAlertRules(root):
			cs, err := readGrafanaAlertRules(source, root, opts)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		case isPrometheusRules(root):
			cs, err := readPrometheusRules(source, root)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		case root.get("kind").str() != "" && root.get("spec").isObject():
			c, err := readPersesDashboard(source, root)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		case isGrafanaDashboard(root):
			c, err := readGrafanaDashboard(source, root, opts)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		case root.kind == kindNull:
			// An empty YAML document, as `---` at a file's end makes.
		default:
			return nil, &SourceError{Source: source, Line: root.Line(), Err: ErrUnknownFormat}
		}
	}
	return out, nil
}

// ReadPath reads a file, or every .json, .yaml and .yml file under a
// folder: a Grafana provisioning folder (dashboards, alerting), a folder
// of rule files, Perses dashboards. Files of no known format are listed as
// ignored, not errors. A dashboard in a subfolder is in that Grafana
// folder, or in the one a provisioning provider names for that path.
func ReadPath(path string, opts Options) Set {
	var set Set
	info, err := os.Stat(path)
	if err != nil {
		set.Errors = append(set.Errors, &SourceError{Source: path, Err: err})
		return set
	}
	if !info.IsDir() {
		set.readFile(path, opts)
		return set
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			set.Errors = append(set.Errors, &SourceError{Source: p, Err: err})
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != path {
			return filepath.SkipDir
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		set.Errors = append(set.Errors, &SourceError{Source: path, Err: err})
	}
	sort.Strings(files)
	folders, datasources := provisioning(files)
	if len(datasources) > 0 {
		merged := map[string]string{}
		for k, v := range datasources {
			merged[k] = v
		}
		for k, v := range opts.Datasources {
			merged[k] = v
		}
		opts.Datasources = merged
	}
	for _, f := range files {
		o := opts
		if o.Folder == "" {
			o.Folder = folderOf(path, f, folders)
		}
		set.readFile(f, o)
	}
	return set
}

func (s *Set) readFile(path string, opts Options) {
	b, err := os.ReadFile(path)
	if err != nil {
		s.Errors = append(s.Errors, &SourceError{Source: path, Err: err})
		return
	}
	cs, err := ReadDocument(path, b, opts)
	switch {
	case errors.Is(err, ErrUnknownFormat):
		s.Ignored = append(s.Ignored, path)
	case err != nil:
		s.Errors = append(s.Errors, err)
	default:
		s.Consumers = append(s.Consumers, cs...)
	}
}

// provisioning reads Grafana's provisioning files among files: the
// dashboard providers (`providers[]` with `folder` and `options.path`),
// mapping the last element of each provider's path to its folder (the
// path is the Grafana server's, so only its last element can be matched
// here), and the datasources (`datasources[]` with `name`, `uid`, `type`),
// mapping their names and uids to their types.
func provisioning(files []string) (folders, datasources map[string]string) {
	folders, datasources = map[string]string{}, map[string]string{}
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".yaml" && ext != ".yml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		roots, err := parseYAML(b)
		if err != nil {
			continue
		}
		for _, root := range roots {
			for _, p := range root.get("providers").list() {
				dir := filepath.Base(p.get("options").get("path").str())
				if folder := p.get("folder").str(); folder != "" && dir != "." && dir != "/" {
					folders[dir] = folder
				}
			}
			for _, d := range root.get("datasources").list() {
				if typ := d.get("type").str(); typ != "" {
					for _, id := range []string{d.get("name").str(), d.get("uid").str()} {
						if id != "" {
							datasources[id] = typ
						}
					}
				}
			}
		}
	}
	return folders, datasources
}

// folderOf is a file's folder under root: its provider's, else the
// subfolder it is in, else none.
func folderOf(root, file string, providers map[string]string) string {
	rel, err := filepath.Rel(root, filepath.Dir(file))
	if err != nil || rel == "." {
		return ""
	}
	if f, ok := providers[filepath.Base(rel)]; ok {
		return f
	}
	return filepath.ToSlash(rel)
}

// String is a one-line account of a set, for logs.
func (s Set) String() string {
	queries, broken := 0, 0
	for _, c := range s.Consumers {
		queries += len(c.Queries)
		broken += c.Broken()
	}
	return fmt.Sprintf("%d consumers, %d queries (%d do not parse), %d files ignored, %d errors",
		len(s.Consumers), queries, broken, len(s.Ignored), len(s.Errors))
}
