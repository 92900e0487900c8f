package main

// Chart loading: Chart.yaml, values.yaml, values.schema.json, templates/ and
// the remaining files (exposed as .Files), honouring a simple .helmignore.

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type Dependency struct {
	Name         string        `json:"name"`
	Version      string        `json:"version,omitempty"`
	Repository   string        `json:"repository"`
	Condition    string        `json:"condition,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Enabled      bool          `json:"enabled,omitempty"`
	ImportValues []interface{} `json:"import-values,omitempty"`
	Alias        string        `json:"alias,omitempty"`
}

// Metadata mirrors Chart.yaml with Helm's Go field names (.Chart.Name ...).
type Metadata struct {
	Name         string            `json:"name,omitempty"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version,omitempty"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Maintainers  []*Maintainer     `json:"maintainers,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion,omitempty"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Dependencies []*Dependency     `json:"dependencies,omitempty"`
	Type         string            `json:"type,omitempty"`
}

type tmplFile struct {
	Name string // relative to chart root, e.g. templates/deploy.yaml
	Data []byte
}

type Chart struct {
	Dir         string
	Metadata    *Metadata
	RawChart    []byte
	Values      map[string]interface{}
	RawValues   []byte
	HasValues   bool
	Schema      []byte
	Templates   []tmplFile
	Files       map[string][]byte
	HasSubchart bool
}

// ignore rules: a small subset of .helmignore (globs, dir/ suffix, comments).
type ignorer struct{ pats []string }

func loadIgnore(dir string) *ignorer {
	ig := &ignorer{}
	b, err := os.ReadFile(filepath.Join(dir, ".helmignore"))
	if err != nil {
		return ig
	}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		ig.pats = append(ig.pats, l)
	}
	return ig
}

func (ig *ignorer) ignored(rel string, isDir bool) bool {
	for _, p := range ig.pats {
		neg := strings.HasPrefix(p, "!")
		if neg {
			continue
		}
		dirOnly := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		if dirOnly && !isDir {
			continue
		}
		target := rel
		if !strings.Contains(p, "/") {
			target = path.Base(rel)
		}
		if ok, _ := path.Match(strings.TrimPrefix(p, "/"), target); ok {
			return true
		}
	}
	return false
}

func loadChart(dir string) (*Chart, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a chart directory (packaged charts are not supported)", dir)
	}
	c := &Chart{Dir: dir, Files: map[string][]byte{}, Values: map[string]interface{}{}}
	ig := loadIgnore(dir)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ig.ignored(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case rel == "Chart.yaml":
			c.RawChart = data
			c.Metadata = &Metadata{}
			if err := yaml.Unmarshal(data, c.Metadata); err != nil {
				return fmt.Errorf("cannot load Chart.yaml: %w", err)
			}
		case rel == "values.yaml":
			c.RawValues = data
			c.HasValues = true
			if err := yaml.Unmarshal(data, &c.Values); err != nil {
				return fmt.Errorf("cannot load values.yaml: %w", err)
			}
			if c.Values == nil {
				c.Values = map[string]interface{}{}
			}
		case rel == "values.schema.json":
			c.Schema = data
		case strings.HasPrefix(rel, "templates/"):
			c.Templates = append(c.Templates, tmplFile{Name: rel, Data: data})
		case strings.HasPrefix(rel, "charts/"):
			c.HasSubchart = true
		case rel == "Chart.lock" || rel == "requirements.yaml" || rel == "requirements.lock":
		default:
			c.Files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.Metadata == nil {
		return nil, fmt.Errorf("Chart.yaml file is missing")
	}
	sort.Slice(c.Templates, func(i, j int) bool { return c.Templates[i].Name < c.Templates[j].Name })
	return c, nil
}

var chartNameBad = regexp.MustCompile(`[\\/]`)

// validateMetadata follows chart.Metadata.Validate (the loader's checks).
func validateMetadata(md *Metadata) error {
	if md.APIVersion == "" {
		return fmt.Errorf("validation: chart.metadata.apiVersion is required")
	}
	if md.Name == "" {
		return fmt.Errorf("validation: chart.metadata.name is required")
	}
	if chartNameBad.MatchString(md.Name) || md.Name == "." || md.Name == ".." {
		return fmt.Errorf("validation: chart.metadata.name %q is invalid", md.Name)
	}
	if md.Version == "" {
		return fmt.Errorf("validation: chart.metadata.version is required")
	}
	if _, err := semver.NewVersion(md.Version); err != nil {
		return fmt.Errorf("validation: chart.metadata.version %q is invalid", md.Version)
	}
	if md.Type != "" && md.Type != "application" && md.Type != "library" {
		return fmt.Errorf("validation: chart.metadata.type must be application or library")
	}
	return nil
}
