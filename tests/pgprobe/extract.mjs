// extract.mjs STATEFULSET.yaml - prints what the in-container run needs from the emitted postgres
// StatefulSet, one item per line: `mount PATH` for each volumeMount of the postgres container,
// `env PGDATA VALUE`, `ready ARGV...` / `live ARGV...` (the exec probes, NUL-free, space-joined),
// `uid N` (pod runAsUser), `readonly true|false` (container readOnlyRootFilesystem).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(new URL("../validate/package.json", import.meta.url));
const YAML = require("yaml");
const sts = YAML.parse(readFileSync(process.argv[2], "utf8"));
const pod = sts.spec.template.spec;
const c = pod.containers.find((x) => x.name === "postgres");
if (!c) throw new Error("no postgres container");
for (const m of c.volumeMounts ?? []) console.log(`mount ${m.mountPath}`);
for (const e of c.env ?? []) if (e.name === "PGDATA") console.log(`env PGDATA ${e.value}`);
for (const [k, p] of [["ready", c.readinessProbe], ["live", c.livenessProbe]]) {
  if (!p?.exec?.command) throw new Error(`no exec ${k} probe`);
  if (p.exec.command.some((a) => /\s/.test(a))) throw new Error("probe argument with a space");
  console.log(`${k} ${p.exec.command.join(" ")}`);
}
console.log(`uid ${pod.securityContext?.runAsUser ?? "none"}`);
console.log(`readonly ${c.securityContext?.readOnlyRootFilesystem === true}`);
