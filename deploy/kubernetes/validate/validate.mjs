// Offline schema check of a rendered Kubernetes manifest stream (the output of `kubectl kustomize`):
//
//   node validate.mjs [file|-]        (no argument or "-" reads standard input)
//
// Every object is checked against the OpenAPI schema of ONE pinned Kubernetes version, v1.33.0: the
// schemas that kubernetes-models 4.5.x compiles into its per-kind validate() ("Update schema version to
// v1.33.0", its 4.5.0 changelog; 5.x moved to v1.36.0 but needs Node.js 22). kubernetes-models also
// keeps API versions that v1.33 no longer serves (policy/v1beta1, autoscaling/v2beta2, extensions/...),
// so the kinds known here are a table of what v1.33 serves, not the whole package. ServiceMonitor
// (monitoring.coreos.com/v1) comes from @kubernetes-models/prometheus-operator 4.4.4, generated from
// the prometheus-operator v0.65.1 CRDs.
//
// Beyond the schema:
// - Unknown fields. The Kubernetes OpenAPI schemas do not say additionalProperties: false, so the
//   compiled validators never look at a field they do not know and pass it silently (as `kubectl
//   apply` without server-side field validation would drop it). Here every object is validated
//   through a proxy that records which keys the validator read; a key of an object the validator
//   walked into that it never read is a field the schema does not have, and is an error. Maps
//   (labels, annotations, ConfigMap data, resource limits) are read key by key by the validator, so
//   they pass; a free-form object (x-kubernetes-preserve-unknown-fields) would be reported — none of
//   the kinds in the table has one where a manifest writes.
// - every object has metadata.name, and no two objects share (API group, kind, namespace, name);
// - a document that is not a known apiVersion/kind is an error, never passed over; empty and null
//   documents (a bare `---`, comments only, `null`) are skipped.
//
// Output: `ok <apiVersion> <kind> <name>` or `invalid <apiVersion> <kind> <name>: <error>; <error>`
// per object, each error with its JSON path, then `validated N objects against Kubernetes v1.33.0:
// M invalid`. Exit 0 when N > 0 and M = 0, 1 otherwise, 2 for input that cannot be read or parsed.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const KUBERNETES_VERSION = "v1.33.0";
// The kubernetes-models release whose schemas are KUBERNETES_VERSION: another one would make the
// version printed above untrue, so it stops the run instead.
const MODELS_VERSION = "4.5.1";

const KINDS = new Map(
  [
    Deployment,
    StatefulSet,
    HorizontalPodAutoscaler,
    CronJob,
    Job,
    Ingress,
    NetworkPolicy,
    PodDisruptionBudget,
    Role,
    RoleBinding,
    ConfigMap,
    Namespace,
    PersistentVolumeClaim,
    Secret,
    Service,
    ServiceAccount,
    ServiceMonitor,
  ].map((model) => [`${model.apiVersion} ${model.kind}`, model]),
);

const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_UNREADABLE = 2;

function fail(message) {
  process.stderr.write(`validate.mjs: ${message}\n`);
  process.exit(EXIT_UNREADABLE);
}

function readInput(args) {
  if (args.length > 1) {
    fail("usage: node validate.mjs [file|-]");
  }
  const source = args[0] ?? "-";
  try {
    return { source: source === "-" ? "standard input" : source, text: readFileSync(source === "-" ? 0 : source, "utf8") };
  } catch (error) {
    return fail(`cannot read ${source === "-" ? "standard input" : source}: ${error.message}`);
  }
}

function parseDocuments(source, text) {
  const objects = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      fail(`cannot parse ${source} as YAML: ${document.errors.map((error) => error.message).join("; ")}`);
    }
    const object = document.toJS();
    if (object === null || object === undefined) {
      continue;
    }
    objects.push(object);
  }
  return objects;
}

// A JSON Pointer segment (RFC 6901), as ajv writes its instancePath.
function pointerSegment(key) {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Hands `value` to the validator behind a proxy that records, per object, every key read from it.
function tracked(value, reads) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (!reads.has(value)) {
    reads.set(value, new Set());
  }
  return new Proxy(value, {
    get(target, key) {
      if (typeof key === "string") {
        reads.get(target).add(key);
      }
      return tracked(Reflect.get(target, key), reads);
    },
  });
}

// The keys of objects the validator walked into but never read: fields the schema does not have.
function unknownFields(value, reads, path, found) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => unknownFields(item, reads, `${path}/${index}`, found));
    return found;
  }
  if (!isObject(value) || !reads.has(value)) {
    return found;
  }
  const read = reads.get(value);
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}/${pointerSegment(key)}`;
    if (read.has(key)) {
      unknownFields(child, reads, childPath, found);
    } else {
      found.push(`${childPath}: unknown field "${key}"`);
    }
  }
  return found;
}

function schemaErrors(model, object) {
  const reads = new WeakMap();
  const errors = [];
  try {
    model.prototype.validate.call(tracked(object, reads));
  } catch (error) {
    if (!Array.isArray(error.errors)) {
      throw error;
    }
    for (const schemaError of error.errors) {
      const allowed = schemaError.params?.allowedValues ? ` (${schemaError.params.allowedValues.join(", ")})` : "";
      errors.push(`${schemaError.instancePath || "/"}: ${schemaError.message}${allowed}`);
    }
  }
  return [...new Set(errors)].concat(unknownFields(object, reads, "", []));
}

function group(apiVersion) {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function check(objects) {
  const seen = new Map();
  let invalid = 0;
  objects.forEach((object, index) => {
    const apiVersion = isObject(object) && typeof object.apiVersion === "string" ? object.apiVersion : "<no apiVersion>";
    const kind = isObject(object) && typeof object.kind === "string" ? object.kind : "<no kind>";
    const name = isObject(object) && isObject(object.metadata) && typeof object.metadata.name === "string" && object.metadata.name !== ""
      ? object.metadata.name
      : null;
    const model = KINDS.get(`${apiVersion} ${kind}`);
    const errors = [];
    if (!isObject(object)) {
      errors.push(`/: document ${index + 1} is not a Kubernetes object (a YAML mapping with apiVersion and kind)`);
    } else if (model === undefined) {
      errors.push(`/: unknown apiVersion/kind "${apiVersion} ${kind}" for Kubernetes ${KUBERNETES_VERSION} here (known: ${[...KINDS.keys()].join(", ")})`);
    } else {
      errors.push(...schemaErrors(model, object));
    }
    if (name === null) {
      errors.push("/metadata/name: every object needs a name");
    } else if (isObject(object)) {
      const namespace = typeof object.metadata.namespace === "string" ? object.metadata.namespace : "";
      const identity = JSON.stringify([group(apiVersion), kind, namespace, name]);
      if (seen.has(identity)) {
        errors.push(`/metadata/name: duplicate of document ${seen.get(identity)} (same group, kind, namespace "${namespace}" and name)`);
      } else {
        seen.set(identity, index + 1);
      }
    }
    const label = `${apiVersion} ${kind} ${name ?? `<unnamed document ${index + 1}>`}`;
    if (errors.length === 0) {
      console.log(`ok ${label}`);
    } else {
      invalid++;
      console.log(`invalid ${label}: ${errors.join("; ")}`);
    }
  });
  return invalid;
}

const modelsVersion = createRequire(import.meta.url)("kubernetes-models/package.json").version;
if (modelsVersion !== MODELS_VERSION) {
  fail(`kubernetes-models ${modelsVersion} is installed, but this script states its schemas are Kubernetes ${KUBERNETES_VERSION} for ${MODELS_VERSION}: run npm ci here`);
}

const { source, text } = readInput(process.argv.slice(2));
const objects = parseDocuments(source, text);
const invalid = check(objects);
console.log(`validated ${objects.length} objects against Kubernetes ${KUBERNETES_VERSION}: ${invalid} invalid`);
if (objects.length === 0) {
  console.log(`no Kubernetes objects in ${source}`);
}
process.exitCode = objects.length > 0 && invalid === 0 ? EXIT_VALID : EXIT_INVALID;
