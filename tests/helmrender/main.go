// Command helmrender renders and lints a Helm chart directory with the
// semantics of `helm template` and `helm lint`, for test environments where
// helm itself is not installed. See README.md.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/Masterminds/semver"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

type options struct {
	chartDir    string
	release     string
	namespace   string
	sets        []string
	setStrings  []string
	valueFiles  []string
	kubeVersion string
	apiVersions []string
	showOnly    []string
	skipTests   bool
	strict      bool
}

func parseArgs(args []string, defRelease string) (*options, error) {
	o := &options{release: defRelease, namespace: "default", kubeVersion: "1.29.0"}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := a, "", false
		if strings.HasPrefix(a, "-") {
			if j := strings.Index(a, "="); j > 0 {
				name, val, hasVal = a[:j], a[j+1:], true
			}
		} else {
			pos = append(pos, a)
			continue
		}
		need := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag needs an argument: %s", name)
			}
			i++
			return args[i], nil
		}
		var err error
		var v string
		switch name {
		case "--skip-tests":
			o.skipTests = true
			continue
		case "--strict":
			o.strict = true
			continue
		}
		if v, err = need(); err != nil {
			return nil, err
		}
		switch name {
		case "--name":
			o.release = v
		case "-n", "--namespace":
			o.namespace = v
		case "--set":
			o.sets = append(o.sets, v)
		case "--set-string":
			o.setStrings = append(o.setStrings, v)
		case "-f", "--values":
			o.valueFiles = append(o.valueFiles, strings.Split(v, ",")...)
		case "--kube-version":
			o.kubeVersion = v
		case "-a", "--api-versions":
			o.apiVersions = append(o.apiVersions, strings.Split(v, ",")...)
		case "-s", "--show-only":
			o.showOnly = append(o.showOnly, v)
		default:
			return nil, fmt.Errorf("unknown flag: %s", name)
		}
	}
	switch len(pos) {
	case 1:
		o.chartDir = pos[0]
	case 2: // helm template RELEASE CHART
		o.release, o.chartDir = pos[0], pos[1]
	default:
		return nil, fmt.Errorf("expected a chart directory argument")
	}
	return o, nil
}

// userValues merges -f files, then every --set, then every --set-string,
// in the order Helm's values.Options.MergeValues applies them.
func userValues(o *options) (map[string]interface{}, error) {
	base := map[string]interface{}{}
	for _, f := range o.valueFiles {
		var b []byte
		var err error
		if f == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, err
		}
		cur := map[string]interface{}{}
		if err := yaml.Unmarshal(b, &cur); err != nil {
			return nil, fmt.Errorf("failed to parse %s: %s", f, err)
		}
		base = mergeMaps(base, cur)
	}
	for _, s := range o.sets {
		if err := parseSet(s, base, false); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %s", err)
		}
	}
	for _, s := range o.setStrings {
		if err := parseSet(s, base, true); err != nil {
			return nil, fmt.Errorf("failed parsing --set-string data: %s", err)
		}
	}
	return base, nil
}

// validateSchema checks values against a chart's values.schema.json and
// returns the "- field: message" lines Helm prints, or nil.
func validateSchema(schema []byte, vals map[string]interface{}) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %v", r)
		}
	}()
	y, err := yaml.Marshal(vals)
	if err != nil {
		return err
	}
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		return err
	}
	if bytes.Equal(j, []byte("null")) {
		j = []byte("{}")
	}
	sl := gojsonschema.NewSchemaLoader()
	compiled, err := sl.Compile(gojsonschema.NewBytesLoader(schema))
	if err != nil {
		return fmt.Errorf("unable to compile schema: %s", err)
	}
	res, err := compiled.Validate(gojsonschema.NewBytesLoader(j))
	if err != nil {
		return err
	}
	if res.Valid() {
		return nil
	}
	var sb strings.Builder
	for _, d := range res.Errors() {
		fmt.Fprintf(&sb, "- %s\n", d)
	}
	return errors.New(sb.String())
}

// finalValues coalesces user values over chart defaults and validates them.
func finalValues(c *Chart, user map[string]interface{}, warn func(string)) (map[string]interface{}, error) {
	vals := coalesce(user, c.Values, "", warn)
	if c.Schema != nil {
		if err := validateSchema(c.Schema, vals); err != nil {
			return nil, fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", c.Metadata.Name, err.Error())
		}
	}
	return vals, nil
}

func checkKubeVersion(c *Chart, caps *Capabilities) error {
	if c.Metadata.KubeVersion == "" {
		return nil
	}
	con, err := semver.NewConstraint(c.Metadata.KubeVersion)
	ok := false
	if err == nil {
		if v, err2 := semver.NewVersion(caps.KubeVersion.Version); err2 == nil {
			ok = con.Check(v)
		}
	}
	if !ok {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", c.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	return nil
}

// Template renders a chart as `helm template` does and returns its stdout.
func Template(o *options, warn func(string)) (string, error) {
	c, err := loadChart(o.chartDir)
	if err != nil {
		return "", err
	}
	if err := validateMetadata(c.Metadata); err != nil {
		return "", err
	}
	if c.Metadata.Type == "library" {
		return "", fmt.Errorf("validation: chart.metadata.type library not installable")
	}
	if c.HasSubchart {
		warn("warning: subcharts under charts/ are not rendered by helmrender")
	}
	caps, err := newCapabilities(o.kubeVersion, o.apiVersions)
	if err != nil {
		return "", err
	}
	if err := checkKubeVersion(c, caps); err != nil {
		return "", err
	}
	user, err := userValues(o)
	if err != nil {
		return "", err
	}
	vals, err := finalValues(c, user, warn)
	if err != nil {
		return "", err
	}
	files, err := render(c, vals, renderOpts{release: o.release, namespace: o.namespace, caps: caps}, warn)
	if err != nil {
		return "", err
	}
	hooks, generic, err := sortManifests(files)
	if err != nil {
		return "", err
	}
	if len(o.showOnly) > 0 {
		return showOnly(o.showOnly, hooks, generic, c.Metadata.Name)
	}
	return formatOutput(hooks, generic, o.skipTests), nil
}

func showOnly(patterns []string, hooks, generic []manifest, chartName string) (string, error) {
	var b strings.Builder
	all := append(append([]manifest{}, generic...), hooks...)
	for _, p := range patterns {
		p = filepath.ToSlash(filepath.Join(chartName, p))
		found := false
		for _, m := range all {
			if ok, _ := filepath.Match(p, m.Path); ok {
				fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Path, m.Content)
				found = true
			}
		}
		if !found {
			return "", fmt.Errorf("could not find template %s in chart", p)
		}
	}
	return b.String(), nil
}

// ---- lint ----

var validObjName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

type lintMsg struct {
	sev  string // INFO, WARNING, ERROR
	path string
	msg  string
}

func (m lintMsg) String() string { return fmt.Sprintf("[%s] %s: %s", m.sev, m.path, m.msg) }

// Lint applies helm lint's chart, values and template rules.
func Lint(o *options) []lintMsg {
	var msgs []lintMsg
	add := func(sev, p string, err error) bool {
		if err != nil {
			msgs = append(msgs, lintMsg{sev, p, err.Error()})
			return false
		}
		return true
	}
	dir := o.chartDir
	// Chart.yaml
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if !add("ERROR", "Chart.yaml", err) {
		return msgs
	}
	md := &Metadata{}
	if err := yaml.Unmarshal(raw, md); err != nil {
		add("ERROR", "Chart.yaml", fmt.Errorf("unable to parse YAML\n\t%s", err))
		return msgs
	}
	if md.Name == "" {
		add("ERROR", "Chart.yaml", errors.New("name is required"))
	}
	switch md.APIVersion {
	case "":
		add("ERROR", "Chart.yaml", errors.New(`apiVersion is required. The value must be either "v1" or "v2"`))
	case "v1", "v2":
	default:
		add("ERROR", "Chart.yaml", fmt.Errorf(`apiVersion '%s' is not valid. The value must be either "v1" or "v2"`, md.APIVersion))
	}
	if md.Version == "" {
		add("ERROR", "Chart.yaml", errors.New("version is required"))
	} else if _, err := semver.NewVersion(md.Version); err != nil {
		add("ERROR", "Chart.yaml", fmt.Errorf("version '%s' is not a valid SemVer", md.Version))
	}
	for _, m := range md.Maintainers {
		if m == nil || m.Name == "" {
			add("ERROR", "Chart.yaml", errors.New("each maintainer requires a name"))
		}
	}
	if md.Icon == "" {
		add("INFO", "Chart.yaml", errors.New("icon is recommended"))
	}
	if md.Type != "" && md.Type != "application" && md.Type != "library" {
		add("ERROR", "Chart.yaml", fmt.Errorf("chart type is not valid in apiVersion '%s'. It is valid in apiVersion 'v2'", md.APIVersion))
	}
	if hasError(msgs) {
		return msgs
	}
	// values.yaml
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err != nil {
		add("INFO", "values.yaml", errors.New("file does not exist"))
	}
	c, err := loadChart(dir)
	if err != nil {
		p := "templates/"
		if strings.Contains(err.Error(), "values.yaml") {
			p = "values.yaml"
			err = fmt.Errorf("unable to parse YAML: %s", err)
		}
		add("ERROR", p, err)
		return msgs
	}
	user, err := userValues(o)
	if !add("ERROR", "values.yaml", err) {
		return msgs
	}
	vals := coalesce(user, c.Values, "", func(string) {})
	if c.Schema != nil {
		if err := validateSchema(c.Schema, vals); err != nil {
			add("ERROR", "values.yaml", err)
		}
	}
	// templates
	if fi, err := os.Stat(filepath.Join(dir, "templates")); err != nil || !fi.IsDir() {
		add("WARNING", "templates/", errors.New("directory not found"))
	}
	caps, err := newCapabilities(o.kubeVersion, o.apiVersions)
	if !add("ERROR", "templates/", err) {
		return msgs
	}
	var infos []string
	files, err := render(c, vals, renderOpts{release: "test-release", namespace: o.namespace, caps: caps, lint: true, strict: o.strict},
		func(s string) { infos = append(infos, s) })
	if !add("ERROR", "templates/", err) {
		return msgs
	}
	for _, t := range c.Templates {
		ext := filepath.Ext(t.Name)
		switch ext {
		case ".yaml", ".yml", ".tpl", ".txt":
		default:
			add("ERROR", t.Name, fmt.Errorf("file extension '%s' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt", ext))
		}
		if regexp.MustCompile(`\.Release\.Time`).Match(t.Data) {
			add("ERROR", t.Name, errors.New(".Release.Time has been removed in v3, please replace with the `now` function in your templates"))
		}
		if ext != ".yaml" && ext != ".yml" {
			continue
		}
		out := files[filepath.ToSlash(filepath.Join(c.Metadata.Name, t.Name))]
		if strings.TrimSpace(out) == "" {
			continue
		}
		for _, doc := range splitManifests(out) {
			var obj map[string]interface{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				add("ERROR", t.Name, fmt.Errorf("unable to parse YAML: %s", err))
				continue
			}
			if obj == nil {
				continue
			}
			if s, _ := obj["apiVersion"].(string); s == "" {
				add("ERROR", t.Name, errors.New("object has no apiVersion"))
			}
			kind, _ := obj["kind"].(string)
			if kind == "" {
				add("ERROR", t.Name, errors.New("object has no kind"))
			}
			meta, _ := obj["metadata"].(map[string]interface{})
			name, _ := meta["name"].(string)
			if !validObjName.MatchString(name) {
				add("ERROR", t.Name, fmt.Errorf("object name does not conform to Kubernetes naming requirements: %q", name))
			}
			switch kind {
			case "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet":
				if !strings.Contains(doc, "matchLabels") && !strings.Contains(doc, "matchExpressions") {
					add("ERROR", t.Name, fmt.Errorf("a %s must contain matchLabels or matchExpressions, and %q does not", kind, name))
				}
			}
		}
	}
	return msgs
}

func hasError(ms []lintMsg) bool {
	for _, m := range ms {
		if m.sev == "ERROR" {
			return true
		}
	}
	return false
}

func usage() {
	stderrf("usage:\n  helmrender template [RELEASE] CHART_DIR [--name R] [--namespace NS] [--set k=v] [--set-string k=v] [-f values.yaml] [--kube-version 1.29.0] [--api-versions g/v] [--show-only templates/x.yaml] [--skip-tests]\n  helmrender lint CHART_DIR [--set k=v] [--set-string k=v] [-f values.yaml] [--strict]\n")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	warn := func(s string) { stderrf("%s\n", s) }
	switch os.Args[1] {
	case "template":
		o, err := parseArgs(os.Args[2:], "release-name")
		if err != nil {
			stderrf("Error: %s\n", err)
			os.Exit(1)
		}
		out, err := Template(o, warn)
		if err != nil {
			stderrf("Error: %s\n", err)
			os.Exit(1)
		}
		fmt.Print(out)
	case "lint":
		o, err := parseArgs(os.Args[2:], "test-release")
		if err != nil {
			stderrf("Error: %s\n", err)
			os.Exit(1)
		}
		msgs := Lint(o)
		fmt.Printf("==> Linting %s\n", o.chartDir)
		for _, m := range msgs {
			fmt.Println(m.String())
		}
		fmt.Println()
		if hasError(msgs) {
			stderrf("Error: 1 chart(s) linted, 1 chart(s) failed\n")
			os.Exit(1)
		}
		fmt.Println("1 chart(s) linted, 0 chart(s) failed")
	case "-h", "--help", "help":
		usage()
	default:
		usage()
		os.Exit(2)
	}
}
