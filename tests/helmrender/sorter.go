package main

// Manifest splitting and InstallOrder kind sorting, as helm template prints.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}

var installRank = func() map[string]int {
	m := map[string]int{}
	for i, k := range installOrder {
		m[k] = i
	}
	return m
}()

type simpleHead struct {
	Version  string `json:"apiVersion"`
	Kind     string `json:"kind,omitempty"`
	Metadata *struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata,omitempty"`
}

type manifest struct {
	Path    string
	Content string
	Head    simpleHead
	Hook    bool
}

var docSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// splitManifests splits a rendered file into trimmed, non-empty documents.
func splitManifests(s string) []string {
	var out []string
	for _, d := range docSep.Split(strings.TrimSpace(s), -1) {
		if d == "" {
			continue
		}
		out = append(out, strings.TrimSpace(d))
	}
	return out
}

func lessKind(a, b string) bool {
	ra, aok := installRank[a]
	rb, bok := installRank[b]
	switch {
	case !aok && !bok:
		return a < b // unknown kinds: alphabetical, stable within a kind
	case !aok:
		return false
	case !bok:
		return true
	}
	return ra < rb
}

// sortManifests returns (hooks, manifests) for the rendered files, skipping
// partials, NOTES.txt and blank output, in helm's order.
func sortManifests(files map[string]string) ([]manifest, []manifest, error) {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var hooks, generic []manifest
	for _, p := range paths {
		content := files[p]
		base := p[strings.LastIndex(p, "/")+1:]
		if strings.HasPrefix(base, "_") || strings.HasSuffix(p, "NOTES.txt") {
			continue
		}
		if strings.TrimSpace(content) == "" {
			continue
		}
		for _, d := range splitManifests(content) {
			var h simpleHead
			if err := yaml.Unmarshal([]byte(d), &h); err != nil {
				return nil, nil, fmt.Errorf("YAML parse error on %s: %s", p, err)
			}
			m := manifest{Path: p, Content: d, Head: h}
			if h.Metadata != nil && h.Metadata.Annotations != nil {
				if _, ok := h.Metadata.Annotations["helm.sh/hook"]; ok {
					m.Hook = true
					hooks = append(hooks, m)
					continue
				}
			}
			generic = append(generic, m)
		}
	}
	byKind := func(ms []manifest) {
		sort.SliceStable(ms, func(i, j int) bool { return lessKind(ms[i].Head.Kind, ms[j].Head.Kind) })
	}
	byKind(generic)
	byKind(hooks)
	// hooks of equal kind are additionally ordered by weight by Helm at run
	// time; helm template prints them in kind order, which we keep.
	return hooks, generic, nil
}

// formatOutput assembles helm template's stdout.
func formatOutput(hooks, generic []manifest, skipTests bool) string {
	var b strings.Builder
	for _, m := range generic {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Path, m.Content)
	}
	var out strings.Builder
	out.WriteString(strings.TrimSpace(b.String()))
	out.WriteString("\n")
	for _, m := range hooks {
		if skipTests && isTestHook(m) {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", m.Path, m.Content)
	}
	return out.String()
}

func isTestHook(m manifest) bool {
	if m.Head.Metadata == nil {
		return false
	}
	for _, h := range strings.Split(m.Head.Metadata.Annotations["helm.sh/hook"], ",") {
		if strings.TrimSpace(h) == "test" || strings.TrimSpace(h) == "test-success" {
			return true
		}
	}
	return false
}
