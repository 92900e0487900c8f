// compare.mjs - proves the chart and the manifest tree are the same program: parses the manifests
// goversec wrote and the documents a Helm renderer produced from the chart, and compares them
// object by object (by apiVersion/kind/namespace/name), after parsing, so key order and quoting
// do not matter. The only differences allowed are listed in HELM_ONLY below, explicitly.
//
// usage: node compare.mjs MANIFESTS_DIR RENDERED.yaml [--chart-defaults]
//   --chart-defaults: the render used the chart's own defaults, which differ from the manifests'
//   values in exactly one documented way (namespace.create is false for Helm, which creates the
//   release namespace itself), so the Namespace object is expected only on the manifest side.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../validate/package.json', import.meta.url));
const YAML = require('yaml');

// Differences that are Helm's by design, each stated once.
const HELM_ONLY = {
  label: 'helm.sh/chart', // Helm's chart label on every object's metadata.labels
};

function walk(dir) {
  let files = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files = files.concat(walk(p));
    else if (name.endsWith('.yaml') && name !== 'kustomization.yaml') files.push(p);
  }
  return files;
}

function key(doc) {
  const m = doc.metadata || {};
  return `${doc.apiVersion}/${doc.kind}/${m.namespace || ''}/${m.name}`;
}

function parseAll(text, where) {
  return YAML.parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${where}: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((d) => d && typeof d === 'object');
}

function diff(a, b, path, out) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    out.push(`${path}: manifests ${JSON.stringify(a)} != chart ${JSON.stringify(b)}`);
    return;
  }
  if (a && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in a)) out.push(`${path}.${k}: only in the chart (${JSON.stringify(b[k])})`);
      else if (!(k in b)) out.push(`${path}.${k}: only in the manifests (${JSON.stringify(a[k])})`);
      else diff(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    }
    return;
  }
  if (a !== b) out.push(`${path}: manifests ${JSON.stringify(a)} != chart ${JSON.stringify(b)}`);
}

const [dir, rendered, ...flags] = process.argv.slice(2);
const chartDefaults = flags.includes('--chart-defaults');
// Files the tree writes but does not apply (restore Jobs: absent from kustomization.yaml) render in
// the chart only when their switch is on: compared when the chart has them, else not expected.
const applied = new Set(YAML.parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).resources.map((r) => join(dir, r)));
const manual = new Set();
const want = new Map();
for (const f of walk(dir)) for (const d of parseAll(readFileSync(f, 'utf8'), f)) {
  want.set(key(d), d);
  if (!applied.has(f)) manual.add(key(d));
}
const got = new Map();
for (const d of parseAll(readFileSync(rendered, 'utf8'), rendered)) {
  const labels = d.metadata && d.metadata.labels;
  if (!labels || !(HELM_ONLY.label in labels)) {
    console.error(`${key(d)}: the chart lost Helm's ${HELM_ONLY.label} label`);
    process.exitCode = 1;
  } else delete labels[HELM_ONLY.label];
  got.set(key(d), d);
}

const problems = [];
for (const [k, d] of want) {
  if (!got.has(k)) {
    if (chartDefaults && d.kind === 'Namespace') continue;
    if (manual.has(k)) continue;
    problems.push(`${k}: only in the manifests`);
  } else diff(d, got.get(k), k, problems);
}
for (const k of got.keys()) if (!want.has(k)) problems.push(`${k}: only in the chart`);
for (const p of problems) console.error(p);
if (problems.length) process.exitCode = 1;
else console.log(`${want.size} objects identical`);
