// Validates Kubernetes objects (the output of `kubectl kustomize`, files named on the command line)
// against schemas made for them:
//   - built-in kinds: the `kubernetes-models` package (the Kubernetes OpenAPI schemas, compiled);
//   - PodMonitor: `@kubernetes-models/prometheus-operator` (the operator's CRD schemas);
//   - Strimzi (Kafka, KafkaNodePool, KafkaTopic) and CloudNativePG (Cluster): the openAPIV3Schema of
//     each operator's CRD, kept in k8s/schemas/ (see its README), checked with Ajv. Like
//     kubeconform's -strict, a field a schema does not name is an error there (the API server
//     would silently prune it), unless the schema says x-kubernetes-preserve-unknown-fields.
// A kind with no schema is an error. Exit 1 on any problem; prints one line per object.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, "..", "..", "k8s", "schemas");

const crdKinds = new Map([
  ["kafka.strimzi.io/v1 Kafka", "kafka.strimzi.io_v1_Kafka.json"],
  ["kafka.strimzi.io/v1 KafkaNodePool", "kafka.strimzi.io_v1_KafkaNodePool.json"],
  ["kafka.strimzi.io/v1 KafkaTopic", "kafka.strimzi.io_v1_KafkaTopic.json"],
  ["postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io_v1_Cluster.json"],
]);

// Closes every object schema that lists its properties, as kubeconform -strict does.
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (out.type === "object" && out.properties && out.additionalProperties === undefined
      && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// Kubernetes' own integer formats.
ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
const crdValidators = new Map();
function crdValidator(key) {
  if (!crdValidators.has(key)) {
    const schema = strict(JSON.parse(readFileSync(join(schemaDir, crdKinds.get(key)), "utf8")));
    crdValidators.set(key, ajv.compile(schema));
  }
  return crdValidators.get(key);
}

async function modelFor(apiVersion, kind) {
  const pkg = apiVersion.startsWith("monitoring.coreos.com/")
    ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  try {
    const mod = await import(`${pkg}/${apiVersion}/${kind}`);
    return mod[kind];
  } catch {
    return null;
  }
}

// Ajv reports additionalProperties without naming the property in the path.
function describe(errors) {
  return errors.map((e) => {
    const where = e.instancePath || "/";
    const extra = e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : "";
    return `${where}: ${e.message}${extra}`;
  }).join("; ");
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const obj = doc.toJSON();
    if (!obj) continue;
    const name = `${file}: ${obj.kind}/${obj.metadata && obj.metadata.name}`;
    const key = `${obj.apiVersion} ${obj.kind}`;
    checked++;
    if (crdKinds.has(key)) {
      const validate = crdValidator(key);
      // The CRD schemas describe metadata as a bare object; check its name like the API server.
      if (!obj.metadata || typeof obj.metadata.name !== "string") {
        console.log(`FAIL ${name}: metadata.name missing`);
        failures++;
      } else if (validate(obj)) {
        console.log(`ok   ${name} (${crdKinds.get(key)})`);
      } else {
        console.log(`FAIL ${name}: ${describe(validate.errors)}`);
        failures++;
      }
      continue;
    }
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      console.log(`FAIL ${name}: no schema for ${key}`);
      failures++;
      continue;
    }
    // kustomize wraps long base64 values in Secrets over several lines; the API server's decoder
    // ignores the line breaks, the schema's "byte" pattern does not.
    if (obj.kind === "Secret" && obj.data) {
      for (const k of Object.keys(obj.data)) obj.data[k] = String(obj.data[k]).replace(/\s+/g, "");
    }
    try {
      new Model(obj).validate();
      console.log(`ok   ${name} (${obj.apiVersion.startsWith("monitoring.coreos.com/") ? "prometheus-operator" : "kubernetes-models"})`);
    } catch (e) {
      console.log(`FAIL ${name}: ${e.message.replace(/\s+/g, " ")}`);
      failures++;
    }
  }
}
console.log(`${checked} objects checked, ${failures} invalid`);
process.exit(failures || checked === 0 ? 1 : 0);
