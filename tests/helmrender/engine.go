package main

// Template engine: text/template + Sprig + Helm's own functions and objects.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Values is the type of .Values (Helm's chartutil.Values).
type Values map[string]interface{}

func (v Values) AsMap() map[string]interface{} { return map[string]interface{}(v) }
func (v Values) YAML() (string, error) {
	b, err := yaml.Marshal(map[string]interface{}(v))
	return string(b), err
}

// Table returns a nested table by dotted name, or an error.
func (v Values) Table(name string) (Values, error) {
	cur := map[string]interface{}(v)
	for _, p := range strings.Split(name, ".") {
		n, ok := cur[p].(map[string]interface{})
		if !ok {
			if n2, ok2 := cur[p].(Values); ok2 {
				n = n2
			} else {
				return Values{}, fmt.Errorf("no table named %q", name)
			}
		}
		cur = n
	}
	return Values(cur), nil
}

type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (kv KubeVersion) String() string     { return kv.Version }
func (kv KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

func (vs VersionSet) Has(apiVersion string) bool {
	for _, x := range vs {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type HelmVersion struct {
	Version      string
	GitCommit    string
	GitTreeState string
	GoVersion    string
}

type Capabilities struct {
	APIVersions VersionSet
	KubeVersion KubeVersion
	HelmVersion HelmVersion
}

// Built-in API versions known to a client without a cluster (a subset of
// what Helm's DefaultVersionSet derives from client-go's scheme).
var defaultAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
	"apiregistration.k8s.io/v1", "apps/v1", "authentication.k8s.io/v1",
	"authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1",
	"certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1",
	"node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1",
	"storage.k8s.io/v1",
}

var defaultKinds = map[string][]string{
	"v1": {"ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "PersistentVolume",
		"PersistentVolumeClaim", "Pod", "ReplicationController", "ResourceQuota", "Secret",
		"Service", "ServiceAccount"},
	"apps/v1":                      {"DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "ControllerRevision"},
	"batch/v1":                     {"CronJob", "Job"},
	"autoscaling/v2":               {"HorizontalPodAutoscaler"},
	"autoscaling/v1":               {"HorizontalPodAutoscaler"},
	"networking.k8s.io/v1":         {"Ingress", "IngressClass", "NetworkPolicy"},
	"policy/v1":                    {"PodDisruptionBudget"},
	"rbac.authorization.k8s.io/v1": {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"},
	"scheduling.k8s.io/v1":         {"PriorityClass"},
	"storage.k8s.io/v1":            {"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"},
	"apiextensions.k8s.io/v1":      {"CustomResourceDefinition"},
	"coordination.k8s.io/v1":       {"Lease"},
	"discovery.k8s.io/v1":          {"EndpointSlice"},
}

func newCapabilities(kubeVersion string, extra []string) (*Capabilities, error) {
	sv, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("invalid kube version %q: %s", kubeVersion, err)
	}
	vs := VersionSet{}
	for _, gv := range defaultAPIVersions {
		vs = append(vs, gv)
		for _, k := range defaultKinds[gv] {
			vs = append(vs, gv+"/"+k)
		}
	}
	vs = append(vs, extra...)
	v := "v" + sv.String()
	return &Capabilities{
		APIVersions: vs,
		KubeVersion: KubeVersion{Version: v, Major: strconv.FormatUint(sv.Major(), 10), Minor: strconv.FormatUint(sv.Minor(), 10)},
		HelmVersion: HelmVersion{Version: "v3.14.0", GitTreeState: "clean", GoVersion: "go1.19"},
	}, nil
}

// Files is .Files: the chart's non-template, non-special files.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) Glob(pattern string) Files {
	re, err := globRegexp(pattern)
	out := Files{}
	if err != nil {
		return out
	}
	for k, v := range f {
		if re.MatchString(k) {
			out[k] = v
		}
	}
	return out
}
func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}
func (f Files) AsConfig() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}
func (f Files) AsSecrets() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

// globRegexp turns a glob with '/' as separator into a regexp:
// * (no '/'), ** (anything), ?, [...], {a,b}.
func globRegexp(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			cls := g[i+1 : i+j]
			if strings.HasPrefix(cls, "!") {
				cls = "^" + cls[1:]
			}
			b.WriteString("[" + cls + "]")
			i += j
		case '{':
			depth++
			b.WriteString("(?:")
		case '}':
			if depth > 0 {
				depth--
				b.WriteString(")")
			} else {
				b.WriteString(`\}`)
			}
		case ',':
			if depth > 0 {
				b.WriteString("|")
			} else {
				b.WriteString(",")
			}
		case '\\':
			if i+1 < len(g) {
				i++
				b.WriteString(regexp.QuoteMeta(string(g[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ---- Helm's extra template functions ----

func toYAML(v interface{}) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

const (
	errStart = "HELM_ERR_START"
	errEnd   = "HELM_ERR_END"
)

func wrapMsg(m string) string { return errStart + m + errEnd }

const maxIncludeDepth = 1000

type engine struct {
	lint  bool
	warn  func(string)
	depth map[string]int
}

func (e *engine) funcMap(t *template.Template) template.FuncMap {
	fm := sprig.TxtFuncMap()
	delete(fm, "env")
	delete(fm, "expandenv")
	fm["toYaml"] = toYAML
	fm["fromYaml"] = fromYAML
	fm["fromYamlArray"] = fromYAMLArray
	fm["toJson"] = toJSON
	fm["fromJson"] = fromJSON
	fm["fromJsonArray"] = fromJSONArray
	fm["include"] = e.includeFn(t)
	fm["tpl"] = e.tplFn(t)
	fm["required"] = func(msg string, val interface{}) (interface{}, error) {
		missing := val == nil
		if s, ok := val.(string); ok && s == "" {
			missing = true
		}
		if missing {
			if e.lint {
				e.warn("[INFO] Missing required value: " + msg)
				return "", nil
			}
			return val, fmt.Errorf("%s", wrapMsg(msg))
		}
		return val, nil
	}
	fm["fail"] = func(msg string) (string, error) {
		if e.lint {
			e.warn("[INFO] Fail: " + msg)
			return "", nil
		}
		return "", fmt.Errorf("%s", wrapMsg(msg))
	}
	// Without a cluster (helm template / client-only), lookup returns an empty map.
	fm["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return fm
}

func (e *engine) includeFn(t *template.Template) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		if e.depth[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		e.depth[name]++
		defer func() { e.depth[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
}

func (e *engine) tplFn(parent *template.Template) func(string, interface{}) (string, error) {
	return func(text string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		t.Option("missingkey=zero")
		t.Funcs(template.FuncMap{"include": e.includeFn(t), "tpl": e.tplFn(t)})
		name := "gotpl"
		if m, ok := toPlainMap(vals); ok {
			if tm, ok := toPlainMap(m["Template"]); ok {
				if s, ok := tm["Name"].(string); ok {
					name = s
				}
			}
		}
		t, err = t.New(name).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

func toPlainMap(v interface{}) (map[string]interface{}, bool) {
	switch m := v.(type) {
	case map[string]interface{}:
		return m, true
	case Values:
		return m, true
	}
	return nil, false
}

// cleanupExecError reshapes a template execution error the way Helm does.
func cleanupExecError(filename string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	parts := strings.SplitN(err.Error(), ": ", 3)
	if len(parts) != 3 {
		return fmt.Errorf("execution error in (%s): %s", filename, err)
	}
	msg := parts[2]
	if s := strings.Index(msg, errStart); s >= 0 {
		if en := strings.Index(msg, errEnd); en > s {
			msg = msg[s+len(errStart) : en]
		}
	}
	return fmt.Errorf("execution error at (%s): %s", parts[1], msg)
}

// templateOrder sorts names by depth (deepest first) then reverse lexical,
// the order in which Helm parses and executes templates.
func templateOrder(names []string) []string {
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca == cb {
			return a > b
		}
		return ca > cb
	})
	return out
}

type renderOpts struct {
	release   string
	namespace string
	caps      *Capabilities
	lint      bool
	strict    bool
}

// render executes every non-partial template and returns name -> output.
func render(c *Chart, vals map[string]interface{}, o renderOpts, warn func(string)) (map[string]string, error) {
	e := &engine{lint: o.lint, warn: warn, depth: map[string]int{}}
	t := template.New("gotpl")
	if o.strict {
		t.Option("missingkey=error")
	} else {
		t.Option("missingkey=zero")
	}
	t.Funcs(e.funcMap(t))

	chartMeta := struct {
		Metadata
		IsRoot bool
	}{*c.Metadata, true}
	top := map[string]interface{}{
		"Chart":        chartMeta,
		"Capabilities": o.caps,
		"Release": map[string]interface{}{
			"Name": o.release, "Namespace": o.namespace, "IsUpgrade": false,
			"IsInstall": true, "Revision": 1, "Service": "Helm",
		},
		"Files":     Files(c.Files),
		"Values":    Values(vals),
		"Subcharts": map[string]interface{}{},
	}
	byName := map[string][]byte{}
	var names []string
	for _, tf := range c.Templates {
		n := path.Join(c.Metadata.Name, tf.Name)
		byName[n] = tf.Data
		names = append(names, n)
	}
	order := templateOrder(names)
	for _, n := range order {
		if _, err := t.New(n).Parse(string(byName[n])); err != nil {
			return nil, fmt.Errorf("parse error at (%s): %s", n, err)
		}
	}
	out := map[string]string{}
	basePath := path.Join(c.Metadata.Name, "templates")
	for _, n := range order {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": n, "BasePath": basePath}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, n, data); err != nil {
			return nil, cleanupExecError(n, err)
		}
		out[n] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

func stripTemplatePrefix(msg, name string) string {
	// text/template parse errors look like "template: NAME:LINE: msg".
	p := "template: " + name + ":"
	if strings.HasPrefix(msg, p) {
		rest := msg[len(p):]
		if i := strings.Index(rest, ": "); i >= 0 {
			return rest[i+2:]
		}
	}
	return msg
}

func stderrf(format string, a ...interface{}) { fmt.Fprintf(os.Stderr, format, a...) }
