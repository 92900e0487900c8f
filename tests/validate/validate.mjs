#!/usr/bin/env node
// Schema validation of goversec output: every YAML document of every file given (directories are
// walked) is mapped from apiVersion+kind to a kubernetes-models class (core, cert-manager,
// prometheus-operator, argo-cd) or to the Zalando `postgresql` JSON schema in schemas/, and checked:
//   1. the model's own validate() (types, formats, enums, required fields);
//   2. strict fields: kubernetes-models' compiled schemas accept unknown properties, so every object
//      key is also checked against the model's TypeScript declaration (.d.ts) — a typo such as
//      `imagePullPolicyy` or `replica` fails instead of being silently dropped by the API server;
//   3. an unknown apiVersion/kind, a document without apiVersion/kind/metadata.name, a YAML error
//      all fail. Nothing passes silently.
// Skipped by name when walking directories: inventory.yaml, .goversec-tree, chart/ and charts/
// directories (Helm templates; tests/chart renders and validates them), a cluster's values.yaml
// (next to its manifests/: values for a fleet's shared chart), files not ending in .yaml/.yml. kustomization.yaml is checked minimally (apiVersion, kind, every
// resource exists, every manifest below its directory is listed, except restore Jobs that are
// written to be run by hand: Jobs annotated goverse.io/restore-preconditions).
//
// Usage: node validate.mjs [--expect-fail] PATH...
//   --expect-fail: every FILE must fail validation, and must mention each `# expect: TEXT` line
//                  it carries (used by the deliberately invalid fixtures).
// Exit: 0 all good, 1 validation failures, 2 usage error.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";
import Ajv from "ajv";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// require(), not import: ESM-importing the 9 MB CommonJS typescript.js makes Node scan it for
// named exports (~1 s).
const ts = require("typescript");

// apiVersion group -> packages that may hold its models (directory layout <pkg>/<group>/<ver>/<Kind>)
const CRD_PACKAGES = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "acme.cert-manager.io": "@kubernetes-models/cert-manager",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "argoproj.io": "@kubernetes-models/argo-cd",
};
// Objects validated by a JSON schema of our own (no npm model package exists for them).
const JSON_SCHEMAS = {
  "acid.zalan.do/v1/postgresql": "zalando-postgresql.schema.json",
};

function pkgDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

// Locate the model files for apiVersion+kind: { mjs, dts, iface } or null.
function locateModel(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!/^[A-Za-z0-9]+$/.test(kind) || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return null;
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const pkg = group in CRD_PACKAGES ? CRD_PACKAGES[group] : "kubernetes-models";
  // Built-in APIs: GA versions only. Beta/alpha versions (apps/v1beta1, policy/v1beta1,
  // autoscaling/v2beta2, ...) are removed from or never enabled by the Kubernetes versions
  // goversec targets (>= 1.23), although kubernetes-models still ships their schemas.
  if (pkg === "kubernetes-models" && !/^v[0-9]+$/.test(apiVersion.slice(slash + 1))) return null;
  const base = path.join(pkgDir(pkg), apiVersion, kind);
  if (!fs.existsSync(base + ".mjs") || !fs.existsSync(base + ".d.ts")) return null;
  return { mjs: base + ".mjs", dts: base + ".d.ts", iface: "I" + kind };
}

const modelCache = new Map();
async function loadModel(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model = null;
  const loc = locateModel(apiVersion, kind);
  if (loc) {
    const mod = await import(pathToFileURL(loc.mjs).href);
    const cls = mod[kind];
    // Only top-level API objects count (a class whose static apiVersion/kind match), never a
    // nested type such as StatefulSetSpec.
    if (typeof cls === "function" && cls.apiVersion === apiVersion && cls.kind === kind)
      model = { kind: "model", cls, ...loc };
  } else if (key in JSON_SCHEMAS) {
    model = { kind: "jsonschema", schema: path.join(HERE, "schemas", JSON_SCHEMAS[key]) };
  }
  modelCache.set(key, model);
  return model;
}

// ---------- strict-field checking through the TypeScript declarations ----------
let tsProgram = null, tsChecker = null;
const tsRoots = new Set();
function ensureProgram(dtsFiles) {
  let grew = false;
  for (const f of dtsFiles) if (!tsRoots.has(f)) { tsRoots.add(f); grew = true; }
  if (tsProgram && !grew) return;
  tsProgram = ts.createProgram([...tsRoots], {
    noEmit: true, skipLibCheck: true, types: [], lib: ["lib.es2020.d.ts"],
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  }, undefined, tsProgram ?? undefined);
  tsChecker = tsProgram.getTypeChecker();
}
function interfaceType(dts, iface) {
  const sf = tsProgram.getSourceFile(dts);
  if (!sf) return null;
  for (const st of sf.statements)
    if (ts.isInterfaceDeclaration(st) && st.name.text === iface)
      return tsChecker.getDeclaredTypeOfSymbol(tsChecker.getSymbolAtLocation(st.name));
  return null;
}
function isObjectType(t) { return (t.flags & ts.TypeFlags.Object) !== 0; }
function strictWalk(value, type, ptr, errs) {
  if (value === null || typeof value !== "object" || !type) return;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  let cands = type.isUnion() ? type.types.filter(isObjectType) : isObjectType(type) ? [type] : [];
  if (Array.isArray(value)) {
    const arr = cands.find((t) => tsChecker.isArrayType(t));
    if (!arr) return;
    const elem = tsChecker.getTypeArguments(arr)[0];
    value.forEach((v, i) => strictWalk(v, elem, `${ptr}/${i}`, errs));
    return;
  }
  cands = cands.filter((t) => !tsChecker.isArrayType(t));
  if (cands.length === 0) return;
  const t = cands[0];
  const index = tsChecker.getIndexTypeOfType(t, ts.IndexKind.String);
  const props = tsChecker.getPropertiesOfType(t);
  for (const key of Object.keys(value)) {
    const p = t.getProperty(key);
    const sub = `${ptr}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    if (p) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      strictWalk(value[key], decl ? tsChecker.getTypeOfSymbolAtLocation(p, decl) : null, sub, errs);
    } else if (index) {
      strictWalk(value[key], index, sub, errs);
    } else if (props.length > 0) {
      const known = props.map((q) => q.name).sort();
      const near = known.filter((k) => k.toLowerCase() === key.toLowerCase() ||
        (Math.abs(k.length - key.length) <= 2 && (k.startsWith(key) || key.startsWith(k))));
      errs.push({ instancePath: sub, message: `unknown field "${key}"` +
        (near.length ? ` (did you mean "${near[0]}"?)` : "") });
    }
  }
}

// ---------- JSON schemas (ajv) ----------
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const ajvCache = new Map();
function jsonSchemaValidator(file) {
  if (!ajvCache.has(file)) ajvCache.set(file, ajv.compile(JSON.parse(fs.readFileSync(file, "utf8"))));
  return ajvCache.get(file);
}

// ---------- files ----------
const SKIP_NAMES = new Set(["inventory.yaml", ".goversec-tree"]);
function collect(p, out, explicit) {
  let st;
  try { st = fs.statSync(p); } catch { out.missing.push(p); return; }
  if (st.isDirectory()) {
    if (!explicit && ["chart", "charts"].includes(path.basename(p))) return;
    for (const e of fs.readdirSync(p).sort()) collect(path.join(p, e), out, false);
    return;
  }
  const base = path.basename(p);
  if (!explicit && (SKIP_NAMES.has(base) || !/\.ya?ml$/.test(base))) return;
  if (!explicit && base === "values.yaml" && fs.existsSync(path.join(path.dirname(p), "manifests"))) return;
  out.files.push(p);
}

function describe(doc) {
  const k = doc && typeof doc === "object" ? doc.kind ?? "?" : "?";
  const n = doc && typeof doc === "object" && doc.metadata && typeof doc.metadata === "object"
    ? doc.metadata.name ?? "?" : "?";
  return `${k}/${n}`;
}

// Files goversec writes but deliberately does not apply (restore Jobs, run by hand after their
// preconditions; the etcd-membership Job): every document a Job annotated with one of these.
const MANUAL_ANNOTATIONS = ["goverse.io/restore-preconditions", "goverse.io/membership-procedure"];
function manualOnly(file) {
  let docs;
  try { docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()); } catch { return false; }
  docs = docs.filter((d) => d !== null);
  return docs.length > 0 && docs.every((d) => d && d.apiVersion === "batch/v1" && d.kind === "Job" &&
    MANUAL_ANNOTATIONS.some((k) => typeof d.metadata?.annotations?.[k] === "string"));
}

function checkKustomization(file, docs, problems) {
  if (docs.length !== 1 || !docs[0] || typeof docs[0] !== "object") {
    problems.push(`${file}: kustomization.yaml must hold exactly one mapping document`);
    return;
  }
  const k = docs[0];
  if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1")
    problems.push(`${file}: apiVersion must be kustomize.config.k8s.io/v1beta1, got ${JSON.stringify(k.apiVersion)}`);
  if (k.kind !== "Kustomization")
    problems.push(`${file}: kind must be Kustomization, got ${JSON.stringify(k.kind)}`);
  if (!Array.isArray(k.resources) || k.resources.length === 0) {
    problems.push(`${file}: resources must be a non-empty list`);
    return;
  }
  const dir = path.dirname(file);
  const seen = new Set();
  for (const r of k.resources) {
    if (typeof r !== "string") { problems.push(`${file}: resource ${JSON.stringify(r)} is not a string`); continue; }
    if (seen.has(r)) problems.push(`${file}: resource ${r} listed twice`);
    seen.add(path.normalize(r));
    if (path.isAbsolute(r) || !fs.existsSync(path.join(dir, r)))
      problems.push(`${file}: resource ${r} does not exist`);
  }
  // Every manifest below the kustomization's directory must be applied (no orphan files).
  const below = { files: [], missing: [] };
  collect(dir, below, true);
  for (const f of below.files) {
    const rel = path.relative(dir, f);
    if (rel === "kustomization.yaml" || !/\.ya?ml$/.test(rel)) continue;
    if (!seen.has(path.normalize(rel)) && !manualOnly(f))
      problems.push(`${file}: ${rel} exists but is not listed in resources`);
  }
}

async function validateFile(file, problems) {
  let text;
  try { text = fs.readFileSync(file, "utf8"); } catch (e) { problems.push(`${file}: cannot read: ${e.message}`); return 0; }
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const values = [];
  docs.forEach((d, i) => {
    for (const e of d.errors) problems.push(`${file}: document ${i}: YAML error: ${e.message}`);
    values.push(d.errors.length ? undefined : d.toJS({ maxAliasCount: 0 }));
  });
  if (path.basename(file) === "kustomization.yaml") { checkKustomization(file, values, problems); return 1; }
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const doc = values[i];
    if (doc === undefined) continue;
    if (doc === null) { if (docs.length === 1) problems.push(`${file}: empty file`); continue; }
    count++;
    const where = `${file}: document ${i} (${describe(doc)})`;
    if (typeof doc !== "object" || Array.isArray(doc)) { problems.push(`${where}: not a mapping`); continue; }
    const missing = ["apiVersion", "kind"].filter((f) => typeof doc[f] !== "string" || doc[f] === "");
    if (!doc.metadata || typeof doc.metadata !== "object" || typeof doc.metadata.name !== "string" || doc.metadata.name === "")
      missing.push("metadata.name");
    if (missing.length) { problems.push(`${where}: missing ${missing.join(", ")}`); continue; }
    const model = await loadModel(doc.apiVersion, doc.kind);
    if (!model) { problems.push(`${where}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind} (no schema; refusing to pass it; built-in APIs must be GA)`); continue; }
    let errs = [];
    if (model.kind === "jsonschema") {
      const v = jsonSchemaValidator(model.schema);
      if (!v(doc)) errs = v.errors.map((e) => ({ instancePath: e.instancePath,
        message: e.message + (e.params?.additionalProperty ? `: "${e.params.additionalProperty}"` : "") +
          (e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : "") }));
    } else {
      try { new model.cls(doc).validate(); } catch (e) {
        if (Array.isArray(e.errors)) errs.push(...e.errors.map((x) => ({ instancePath: x.instancePath,
          message: x.message + (x.params?.allowedValues ? ` ${JSON.stringify(x.params.allowedValues)}` : "") })));
        else errs.push({ instancePath: "", message: String(e.message ?? e) });
      }
      ensureProgram([model.dts]);
      strictWalk(doc, interfaceType(model.dts, model.iface), "", errs);
    }
    for (const e of errs) problems.push(`${where}: ${e.instancePath || "/"}: ${e.message}`);
  }
  return count;
}

async function main(argv) {
  let expectFail = false;
  const paths = [];
  for (const a of argv) {
    if (a === "--expect-fail") expectFail = true;
    else if (a === "-h" || a === "--help") { console.log("usage: validate.mjs [--expect-fail] PATH..."); return 0; }
    else if (a.startsWith("-")) { console.error(`validate: unknown option ${a}`); return 2; }
    else paths.push(a);
  }
  if (paths.length === 0) { console.error("usage: validate.mjs [--expect-fail] PATH..."); return 2; }
  const set = { files: [], missing: [] };
  for (const p of paths) collect(p, set, true);
  for (const m of set.missing) console.error(`validate: ${m}: no such file or directory`);
  if (set.missing.length) return 2;
  if (set.files.length === 0) { console.error("validate: no YAML files found"); return 1; }

  // Build the TypeScript program once, over the declarations of every model the files use
  // (growing it file by file re-creates it each time: several times slower).
  const dts = new Set();
  for (const f of set.files) {
    let docs;
    try { docs = YAML.parseAllDocuments(fs.readFileSync(f, "utf8")); } catch { continue; }
    for (const d of docs) {
      if (d.errors.length) continue;
      const v = d.toJS({ maxAliasCount: 0 });
      if (!v || typeof v !== "object") continue;
      const m = await loadModel(v.apiVersion, v.kind).catch(() => null);
      if (m?.dts) dts.add(m.dts);
    }
  }
  if (dts.size) ensureProgram([...dts]);

  let failed = 0, objects = 0;
  for (const f of set.files) {
    const problems = [];
    objects += await validateFile(f, problems);
    if (!expectFail) {
      for (const p of problems) console.log(`FAIL ${p}`);
      if (problems.length) failed++;
      continue;
    }
    // --expect-fail: must fail, and for the reason the fixture announces.
    const expects = [...fs.readFileSync(f, "utf8").matchAll(/^# expect: (.+)$/gm)].map((m) => m[1].trim());
    const all = problems.join("\n");
    const unmet = expects.filter((x) => !all.includes(x));
    if (problems.length === 0) { console.log(`FAIL ${f}: expected validation to fail, but it passed`); failed++; }
    else if (unmet.length) {
      console.log(`FAIL ${f}: failed, but not with ${unmet.map((x) => JSON.stringify(x)).join(", ")}; got:`);
      for (const p of problems) console.log(`    ${p}`);
      failed++;
    } else {
      console.log(`ok   ${f}: rejected as expected (${problems.length} problem${problems.length > 1 ? "s" : ""})`);
      if (process.env.VALIDATE_VERBOSE) for (const p of problems) console.log(`    ${p}`);
    }
  }
  console.log(`validate: ${set.files.length} file(s), ${objects} object(s), ${failed} file(s) failed${expectFail ? " (expect-fail mode)" : ""}`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
