package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const testChart = "testdata/mychart"

func quiet(string) {}

func run(t *testing.T, o *options) string {
	t.Helper()
	out, err := Template(o, quiet)
	if err != nil {
		t.Fatalf("render failed: %v", err)
	}
	return out
}

func opts(args ...string) *options {
	o, err := parseArgs(args, "release-name")
	if err != nil {
		panic(err)
	}
	return o
}

// writeChart creates a throwaway chart with the given files.
func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "c")
	if _, ok := files["Chart.yaml"]; !ok {
		files["Chart.yaml"] = "apiVersion: v2\nname: c\nversion: 1.0.0\n"
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTemplateGolden(t *testing.T) {
	got := run(t, opts(testChart))
	want, err := os.ReadFile("testdata/expected/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from testdata/expected/default.yaml:\n%s", got)
	}
}

func sources(out string) []string {
	var s []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "kind: ") {
			s = append(s, strings.TrimPrefix(l, "kind: "))
		}
	}
	return s
}

func TestDocumentOrder(t *testing.T) {
	out := run(t, opts(testChart))
	// InstallOrder kinds first (stable across files sorted by path), unknown
	// kinds after them alphabetically, hooks last.
	want := []string{"Namespace", "ServiceAccount", "ConfigMap", "Service", "Deployment", "Bravo", "GoverseNode", "Job"}
	if got := sources(out); !reflect.DeepEqual(got, want) {
		t.Errorf("kinds order = %v, want %v", got, want)
	}
	if !strings.HasPrefix(out, "---\n# Source: mychart/templates/rbac.yaml\napiVersion: v1\nkind: Namespace\n") {
		t.Errorf("unexpected head:\n%s", out[:80])
	}
	if strings.Contains(out, "disabled.yaml") {
		t.Error("blank template output must be skipped")
	}
	if strings.Contains(out, "_helpers.tpl") {
		t.Error("partials must not be rendered")
	}
	// same-kind documents keep file order (stable sort over sorted paths)
	c := writeChart(t, map[string]string{
		"templates/b.yaml": "kind: ConfigMap\nmetadata:\n  name: b1\n---\nkind: ConfigMap\nmetadata:\n  name: b2\n",
		"templates/a.yaml": "kind: ConfigMap\nmetadata:\n  name: a1\n",
		"templates/c.yaml": "kind: Secret\nmetadata:\n  name: c1\n",
	})
	out = run(t, opts(c))
	want2 := "---\n# Source: c/templates/c.yaml\nkind: Secret\nmetadata:\n  name: c1\n" +
		"---\n# Source: c/templates/a.yaml\nkind: ConfigMap\nmetadata:\n  name: a1\n" +
		"---\n# Source: c/templates/b.yaml\nkind: ConfigMap\nmetadata:\n  name: b1\n" +
		"---\n# Source: c/templates/b.yaml\nkind: ConfigMap\nmetadata:\n  name: b2\n"
	if out != want2 {
		t.Errorf("got:\n%s\nwant:\n%s", out, want2)
	}
}

func TestIncludeTplRequiredFail(t *testing.T) {
	c := writeChart(t, map[string]string{
		"values.yaml":          "name: world\ntmpl: \"{{ .Values.name | upper }}\"\nreq: \"\"\n",
		"templates/_h.tpl":     `{{- define "greet" -}}hello {{ . }}{{- end -}}`,
		"templates/a.yaml":     "x: {{ include \"greet\" .Values.name }}\ny: {{ tpl .Values.tmpl . }}\nz: {{ include \"greet\" \"a\" | upper | quote }}\n",
		"templates/req.yaml":   "{{ if .Values.useReq }}r: {{ required \"req is required!\" .Values.req }}{{ end }}\n",
		"templates/fail.yaml":  "{{ if .Values.doFail }}{{ fail \"failing on purpose\" }}{{ end }}\n",
		"templates/notes.yaml": "",
	})
	out := run(t, opts(c))
	if !strings.Contains(out, "x: hello world\ny: WORLD\nz: \"HELLO A\"") {
		t.Errorf("include/tpl output wrong:\n%s", out)
	}
	_, err := Template(opts(c, "--set", "useReq=true"), quiet)
	if err == nil || err.Error() != "execution error at (c/templates/req.yaml:1:29): req is required!" {
		t.Errorf("required error = %v", err)
	}
	if _, err := Template(opts(c, "--set", "useReq=true,req=ok"), quiet); err != nil {
		t.Errorf("required satisfied but failed: %v", err)
	}
	_, err = Template(opts(c, "--set", "doFail=true"), quiet)
	if err == nil || err.Error() != "execution error at (c/templates/fail.yaml:1:26): failing on purpose" {
		t.Errorf("fail error = %v", err)
	}
	// lint mode does not fail on required/fail
	lc := writeChart(t, map[string]string{
		"templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  r: {{ required \"need r\" .Values.r | quote }}\n  f: {{ fail \"boom\" | quote }}\n",
	})
	msgs := Lint(opts(lc))
	if hasError(msgs) {
		t.Errorf("lint should tolerate fail/required: %v", msgs)
	}
}

func TestToYamlBytes(t *testing.T) {
	cases := []struct {
		in   interface{}
		want string
	}{
		{map[string]interface{}{
			"a": map[string]interface{}{
				"b": []interface{}{"x", map[string]interface{}{"k": 1, "z": []interface{}{true, nil}}},
			},
			"c": "",
		}, "a:\n  b:\n  - x\n  - k: 1\n    z:\n    - true\n    - null\nc: \"\""},
		{map[string]interface{}{"list": []interface{}{[]interface{}{"a", "b"}, map[string]interface{}{}}}, "list:\n- - a\n  - b\n- {}"},
		{map[string]interface{}{"y": "yes", "n": "1", "colon": "a: b", "f": 1e6, "g": 1.5}, "colon: 'a: b'\nf: 1000000\ng: 1.5\n\"n\": \"1\"\n\"y\": \"yes\""},
		{[]interface{}{"a", "b"}, "- a\n- b"},
		{map[string]interface{}{}, "{}"},
		{nil, "null"},
		{"plain", "plain"},
		{map[string]interface{}{"s": "l1\nl2\n"}, "s: |\n  l1\n  l2"},
	}
	for i, c := range cases {
		if got := toYAML(c.in); got != c.want {
			t.Errorf("case %d: toYaml = %q, want %q", i, got, c.want)
		}
	}
	// through the template engine with nindent, as charts use it
	c := writeChart(t, map[string]string{
		"values.yaml":      "cfg:\n  b:\n  - 1\n  - x: [2, 3]\n  a: {}\n",
		"templates/a.yaml": "spec:\n  {{- toYaml .Values.cfg | nindent 2 }}\n",
	})
	out := run(t, opts(c))
	want := "---\n# Source: c/templates/a.yaml\nspec:\n  a: {}\n  b:\n  - 1\n  - x:\n    - 2\n    - 3\n"
	if out != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestFromToJSONYAML(t *testing.T) {
	c := writeChart(t, map[string]string{
		"templates/a.yaml": `a: {{ (fromYaml "x: 1\nk: [a]").k | toJson }}
b: {{ fromYamlArray "- 1\n- two" | toJson }}
c: {{ (fromJson "{\"k\": \"v\"}").k }}
d: {{ fromJsonArray "[1,2]" | len }}
e: {{ (fromYaml "a: [unclosed").Error | empty | not }}
`,
	})
	out := run(t, opts(c))
	want := "a: [\"a\"]\nb: [1,\"two\"]\nc: v\nd: 2\ne: true"
	if !strings.Contains(out, want) {
		t.Errorf("got %q", out)
	}
}

func TestSetParsing(t *testing.T) {
	type m = map[string]interface{}
	type l = []interface{}
	cases := []struct {
		in     string
		str    bool
		want   m
		hasErr bool
	}{
		{in: "name1=value1", want: m{"name1": "value1"}},
		{in: "name1=value1,name2=value2", want: m{"name1": "value1", "name2": "value2"}},
		{in: "name1=value1,name2=value2,", want: m{"name1": "value1", "name2": "value2"}},
		{in: "name1=value1,,,,name2=value2,", hasErr: true},
		{in: "name1,name2=", hasErr: true},
		{in: "name1=,name2=value2", want: m{"name1": "", "name2": "value2"}},
		{in: "name1=value1,name2=", want: m{"name1": "value1", "name2": ""}},
		{in: "name1", hasErr: true},
		{in: "long_int_string=1234567890", want: m{"long_int_string": int64(1234567890)}},
		{in: "boolean=true", want: m{"boolean": true}},
		{in: "boolean=FALSE", want: m{"boolean": false}},
		{in: "is_null=null", want: m{"is_null": nil}},
		{in: "zero=0", want: m{"zero": int64(0)}},
		{in: "leading_zeros=00009", want: m{"leading_zeros": "00009"}},
		{in: "float=2.5,neg=-3", want: m{"float": "2.5", "neg": int64(-3)}},
		{in: "long_int_string=1234567890", str: true, want: m{"long_int_string": "1234567890"}},
		{in: "boolean=true,is_null=null", str: true, want: m{"boolean": "true", "is_null": "null"}},
		{in: `name1=one\,two,name2=three\,four`, want: m{"name1": "one,two", "name2": "three,four"}},
		{in: `name1=one\=two`, want: m{"name1": "one=two"}},
		{in: `name1\.name2=one`, want: m{"name1.name2": "one"}},
		{in: "outer.inner=value", want: m{"outer": m{"inner": "value"}}},
		{in: "outer.middle.inner=value", want: m{"outer": m{"middle": m{"inner": "value"}}}},
		{in: "outer.inner1=value,outer.inner2=value2", want: m{"outer": m{"inner1": "value", "inner2": "value2"}}},
		{in: "name1.name2", hasErr: true},
		{in: "name1.=value", hasErr: true},
		{in: "name1={value1,value2}", want: m{"name1": l{"value1", "value2"}}},
		{in: "name1={value1,value2},name2={value1,value2}", want: m{"name1": l{"value1", "value2"}, "name2": l{"value1", "value2"}}},
		{in: "name1={1021,902}", want: m{"name1": l{int64(1021), int64(902)}}},
		{in: "name1={value1,value2", hasErr: true},
		{in: "list[0]=foo", want: m{"list": l{"foo"}}},
		{in: "list[0].foo=bar,list[0].hello=world", want: m{"list": l{m{"foo": "bar", "hello": "world"}}}},
		{in: "list[0]=foo,list[1]=bar", want: m{"list": l{"foo", "bar"}}},
		{in: "list[1]=foo", want: m{"list": l{nil, "foo"}}},
		{in: "list[0]=foo,list[3]=bar", want: m{"list": l{"foo", nil, nil, "bar"}}},
		{in: "nested[0][0]=1", want: m{"nested": l{l{int64(1)}}}},
		{in: "nested[1][1]=1", want: m{"nested": l{nil, l{nil, int64(1)}}}},
		{in: "list[0].foo.bar=x", want: m{"list": l{m{"foo": m{"bar": "x"}}}}},
		{in: "list[-1]=foo", hasErr: true},
		{in: "list[x]=foo", hasErr: true},
		{in: "list[0]x=foo", hasErr: true},
		{in: "name1=one,name1.inner=two", hasErr: true},
		{in: "a=spaces are kept ", want: m{"a": "spaces are kept "}},
		{in: "list[0]={a,b}", want: m{"list": l{l{"a", "b"}}}},
	}
	for _, c := range cases {
		got := m{}
		err := parseSet(c.in, got, c.str)
		if c.hasErr {
			if err == nil {
				t.Errorf("%q: expected error, got %#v", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: unexpected error %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %#v want %#v", c.in, got, c.want)
		}
	}
	// --set applies in order, overriding earlier ones; into existing maps
	dest := m{"outer": m{"keep": "k"}}
	if err := parseSet("outer.a=1,outer.a=2", dest, false); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dest, m{"outer": m{"keep": "k", "a": int64(2)}}) {
		t.Errorf("got %#v", dest)
	}
}

func TestValuesFilesMergeAndNull(t *testing.T) {
	dir := t.TempDir()
	f1 := filepath.Join(dir, "1.yaml")
	f2 := filepath.Join(dir, "2.yaml")
	os.WriteFile(f1, []byte("replicaCount: 3\nimage:\n  tag: \"2.0\"\nremoveMe: kept-by-f1\n"), 0o644)
	os.WriteFile(f2, []byte("removeMe: null\nservice:\n  port: 8080\nimage:\n  pullPolicy: null\n"), 0o644)
	o := opts(testChart, "-f", f1, "-f", f2, "--set", "image.repository=registry/app", "--set-string", "service.type=123")
	c, _ := loadChart(testChart)
	user, err := userValues(o)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := finalValues(c, user, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vals["removeMe"]; ok {
		t.Error("null in a later -f file must delete the chart default")
	}
	img := vals["image"].(map[string]interface{})
	if img["tag"] != "2.0" || img["repository"] != "registry/app" {
		t.Errorf("image = %#v", img)
	}
	if _, ok := img["pullPolicy"]; ok {
		t.Error("nested null must delete the default")
	}
	svc := vals["service"].(map[string]interface{})
	if svc["port"] != float64(8080) || svc["type"] != "123" {
		t.Errorf("service = %#v", svc)
	}
	if vals["replicaCount"] != float64(3) {
		t.Errorf("replicaCount = %#v", vals["replicaCount"])
	}
	// --set null deletes as well, and the rendered output reflects merges
	out := run(t, opts(testChart, "-f", f1, "--set", "service.type=null,replicaCount=5"))
	if !strings.Contains(out, "replicas: 5") || !strings.Contains(out, "nginx:2.0") || !strings.Contains(out, "  type: \n") {
		t.Errorf("merged render wrong:\n%s", out)
	}
}

func TestSchemaRejection(t *testing.T) {
	_, err := Template(opts(testChart, "--set-string", "replicaCount=three"), quiet)
	want := "values don't meet the specifications of the schema(s) in the following chart(s):\nmychart:\n- replicaCount: Invalid type. Expected: integer, given: string\n"
	if err == nil || err.Error() != want {
		t.Errorf("got %q\nwant %q", err, want)
	}
	// gojsonschema reports several errors in map order (as Helm does): compare them as a set.
	_, err = Template(opts(testChart, "--set", "replicaCount=0,image.repository=null"), quiet)
	want = "values don't meet the specifications of the schema(s) in the following chart(s):\nmychart:\n- image: repository is required\n- replicaCount: Must be greater than or equal to 1\n"
	if err == nil || sortedLines(err.Error()) != sortedLines(want) {
		t.Errorf("got %q\nwant (in any order) %q", err, want)
	}
	msgs := Lint(opts(testChart, "--set", "replicaCount=0"))
	if !hasError(msgs) || !strings.Contains(msgs[len(msgs)-1].String(), "[ERROR] values.yaml: - replicaCount: Must be greater than or equal to 1") {
		t.Errorf("lint schema messages: %v", msgs)
	}
}

func TestNotes(t *testing.T) {
	out := run(t, opts(testChart))
	if strings.Contains(out, "NOTES") || strings.Contains(out, "Installed") {
		t.Error("NOTES.txt must not be printed")
	}
	c := writeChart(t, map[string]string{
		"templates/NOTES.txt": "{{ required \"notes need x\" .Values.x }}",
		"templates/a.yaml":    "kind: ConfigMap\n",
	})
	if _, err := Template(opts(c), quiet); err == nil || !strings.Contains(err.Error(), "notes need x") {
		t.Errorf("NOTES.txt errors must fail the render, got %v", err)
	}
	if out := run(t, opts(c, "--set", "x=1")); strings.Contains(out, "NOTES") {
		t.Errorf("got %q", out)
	}
}

func TestLookupEmpty(t *testing.T) {
	c := writeChart(t, map[string]string{
		"templates/a.yaml": `{{- $s := lookup "v1" "Secret" "ns" "name" -}}
kind: ConfigMap
n: {{ len $s }}
data: {{ $s.data | default "none" }}
{{- if not $s }}
empty: true
{{- end }}
`})
	out := run(t, opts(c))
	if !strings.Contains(out, "n: 0\ndata: none\nempty: true") {
		t.Errorf("got %q", out)
	}
}

func TestKubeVersion(t *testing.T) {
	if _, err := Template(opts(testChart, "--kube-version", "1.19.3"), quiet); err == nil ||
		err.Error() != "chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes v1.19.3" {
		t.Errorf("got %v", err)
	}
	out := run(t, opts(testChart, "--kube-version", "1.27.4"))
	if !strings.Contains(out, `kube: "v1.27.4"`) {
		t.Error("Capabilities.KubeVersion not set from --kube-version")
	}
	c := writeChart(t, map[string]string{
		"templates/a.yaml": "v: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.APIVersions.Has \"apps/v1/Deployment\" }} {{ .Capabilities.APIVersions.Has \"x/v9\" }}\n",
	})
	if out := run(t, opts(c)); !strings.Contains(out, "v: v1.29.0 1.29 v1.29.0 true false") {
		t.Errorf("got %q", out)
	}
}

func TestBuiltinObjects(t *testing.T) {
	c := writeChart(t, map[string]string{
		"Chart.yaml":       "apiVersion: v2\nname: c\nversion: 1.2.3\nappVersion: \"9\"\nkubeVersion: \">=1.0.0-0\"\n",
		"files/a.txt":      "A\n",
		"files/b.txt":      "B\n",
		"files/x.conf":     "X\n",
		"templates/a.yaml": "r: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }}\nc: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.KubeVersion }} {{ .Chart.APIVersion }} {{ .Chart.IsRoot }}\nt: {{ .Template.Name }} {{ .Template.BasePath }}\nf: {{ len (.Files.Glob \"files/*.txt\") }} {{ .Files.Get \"files/x.conf\" | trim }} {{ .Files.Get \"nope\" | quote }}\nm: {{ .Values.missing | default \"dflt\" }} [{{ .Values.missing }}]\n",
	})
	out := run(t, opts(c, "--name", "rel", "--namespace", "prod"))
	for _, w := range []string{
		"r: rel prod Helm true false 1",
		"c: c 1.2.3 9 >=1.0.0-0 v2 true",
		"t: c/templates/a.yaml c/templates",
		"f: 2 X \"\"",
		"m: dflt []",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
	// env/expandenv are removed from the function map, as in Helm
	ec := writeChart(t, map[string]string{"templates/env.yaml": "{{ if .Values.useEnv }}{{ env \"HOME\" }}{{ end }}\n"})
	if _, err := Template(opts(ec), quiet); err == nil || !strings.Contains(err.Error(), `function "env" not defined`) {
		t.Errorf("env must be undefined, got %v", err)
	}
	// positional RELEASE CHART form
	out = run(t, opts("myrel", c))
	if !strings.Contains(out, "r: myrel default") {
		t.Errorf("got %s", out)
	}
}

func TestLint(t *testing.T) {
	if msgs := Lint(opts(testChart)); hasError(msgs) {
		t.Errorf("testdata chart should lint clean: %v", msgs)
	}
	bad := writeChart(t, map[string]string{
		"Chart.yaml": "apiVersion: v3\nname: bad\nversion: one\n",
	})
	msgs := Lint(opts(bad))
	joined := ""
	for _, m := range msgs {
		joined += m.String() + "\n"
	}
	for _, w := range []string{
		`[ERROR] Chart.yaml: apiVersion 'v3' is not valid. The value must be either "v1" or "v2"`,
		"[ERROR] Chart.yaml: version 'one' is not a valid SemVer",
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("missing %q in %s", w, joined)
		}
	}
	bad2 := writeChart(t, map[string]string{
		"templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\nkind: Secret\nmetadata: {}\n---\na: [unclosed\n",
		"templates/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
		"templates/r.json": "{}",
	})
	joined = ""
	for _, m := range Lint(opts(bad2)) {
		joined += m.String() + "\n"
	}
	for _, w := range []string{
		`[ERROR] templates/a.yaml: object name does not conform to Kubernetes naming requirements: "Bad_Name"`,
		"[ERROR] templates/a.yaml: object has no apiVersion",
		`[ERROR] templates/a.yaml: object name does not conform to Kubernetes naming requirements: ""`,
		"[ERROR] templates/a.yaml: unable to parse YAML",
		`[ERROR] templates/d.yaml: a Deployment must contain matchLabels or matchExpressions, and "d" does not`,
		"[ERROR] templates/r.json: file extension '.json' not valid",
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("missing %q in:\n%s", w, joined)
		}
	}
}

// TestCLI exercises the built binary when run.sh provides it.
func TestCLI(t *testing.T) {
	bin := os.Getenv("HELMRENDER_BIN")
	if bin == "" {
		t.Skip("HELMRENDER_BIN not set")
	}
	out, err := exec.Command(bin, "template", testChart).Output()
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	want, _ := os.ReadFile("testdata/expected/default.yaml")
	if string(out) != string(want) {
		t.Errorf("CLI output differs from golden")
	}
	cmd := exec.Command(bin, "template", testChart, "--set", "replicaCount=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.HasPrefix(stderr.String(), "Error: values don't meet") {
		t.Errorf("schema failure: err=%v stderr=%q", err, stderr.String())
	}
	out, err = exec.Command(bin, "lint", testChart).Output()
	if err != nil || !strings.HasSuffix(string(out), "\n1 chart(s) linted, 0 chart(s) failed\n") {
		t.Errorf("lint: %v %q", err, out)
	}
	if err := exec.Command(bin, "lint", testChart, "--set", "replicaCount=x").Run(); err == nil {
		t.Error("lint must exit non-zero on schema error")
	}
}

// sortedLines returns text with its lines sorted, for messages whose order is not defined.
func sortedLines(text string) string {
	lines := strings.Split(text, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
