// Command psacheck evaluates every pod template in Kubernetes manifest files with the Pod Security
// Admission library (k8s.io/pod-security-admission/policy: the checks the API server's PodSecurity
// admission plugin runs), at a level and the latest policy version. Manifests are decoded strictly
// into the typed API objects (an unknown field is an error). Namespaces must carry the level in
// their enforce/audit/warn labels.
//
//	psacheck LEVEL FILE...    exit 0: every pod allowed; 1: a pod or Namespace refused; 2: usage/IO
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

type pod struct {
	what string
	meta *metav1.ObjectMeta
	spec *corev1.PodSpec
}

// podOf decodes one document; ok is false for kinds without a pod template.
func podOf(doc []byte, kind string) (p pod, ns *corev1.Namespace, err error) {
	strict := func(into any) error { return yaml.UnmarshalStrict(doc, into) }
	switch kind {
	case "Deployment":
		var o appsv1.Deployment
		err = strict(&o)
		p = pod{"Deployment/" + o.Name, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec}
	case "StatefulSet":
		var o appsv1.StatefulSet
		err = strict(&o)
		p = pod{"StatefulSet/" + o.Name, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec}
	case "DaemonSet":
		var o appsv1.DaemonSet
		err = strict(&o)
		p = pod{"DaemonSet/" + o.Name, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec}
	case "Job":
		var o batchv1.Job
		err = strict(&o)
		p = pod{"Job/" + o.Name, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec}
	case "CronJob":
		var o batchv1.CronJob
		err = strict(&o)
		t := &o.Spec.JobTemplate.Spec.Template
		p = pod{"CronJob/" + o.Name, &t.ObjectMeta, &t.Spec}
	case "Pod":
		var o corev1.Pod
		err = strict(&o)
		p = pod{"Pod/" + o.Name, &o.ObjectMeta, &o.Spec}
	case "Namespace":
		var o corev1.Namespace
		err = strict(&o)
		ns = &o
	}
	return p, ns, err
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: psacheck baseline|restricted FILE...")
		os.Exit(2)
	}
	level, err := psaapi.ParseLevel(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "psacheck:", err)
		os.Exit(2)
	}
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psacheck:", err)
		os.Exit(2)
	}
	lv := psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}
	pods, namespaces, failed := 0, 0, 0
	for _, file := range os.Args[2:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "psacheck:", err)
			os.Exit(2)
		}
		rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := rd.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "psacheck: %s: %v\n", file, err)
				os.Exit(2)
			}
			var head struct{ Kind string }
			if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind == "" {
				continue
			}
			p, ns, err := podOf(doc, head.Kind)
			if err != nil {
				fmt.Printf("FAIL %s: %s does not decode strictly: %v\n", file, head.Kind, err)
				failed++
				continue
			}
			if ns != nil {
				namespaces++
				for _, mode := range []string{"enforce", "audit", "warn"} {
					if got := ns.Labels["pod-security.kubernetes.io/"+mode]; got != string(level) {
						fmt.Printf("FAIL %s: Namespace/%s label %s is %q, want %q\n", file, ns.Name, mode, got, level)
						failed++
					}
				}
			}
			if p.spec == nil {
				continue
			}
			pods++
			res := policy.AggregateCheckResults(eval.EvaluatePod(lv, p.meta, p.spec))
			if !res.Allowed {
				fmt.Printf("FAIL %s: %s violates PodSecurity %q: %s\n", file, p.what, lv.String(), res.ForbiddenDetail())
				failed++
			}
		}
	}
	fmt.Printf("psacheck: %d pod templates and %d Namespaces checked at %s, %d refused\n", pods, namespaces, lv.String(), failed)
	if failed > 0 {
		os.Exit(1)
	}
}
