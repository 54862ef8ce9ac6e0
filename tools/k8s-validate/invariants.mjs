// Checks what the schemas cannot: the rules Tracklane's manifests keep (docs/kubernetes.md).
//   node invariants.mjs OVERLAY BUILT.yaml
// - every Deployment runs one Tracklane role (TRACKLANE_ROLES, one of edge, api, ledger, webhooks)
//   matching its app.kubernetes.io/component label, with liveness (/health/live) and readiness
//   (/health/ready) probes on the ops port, and CPU and memory requests and limits;
// - ops_host is 0.0.0.0 in the ConfigMap (else the probes cannot reach /health);
// - ledger replicas x ledger.instances <= partitions of the facts topic's KafkaTopic;
// - terminationGracePeriodSeconds > preStop pause + the engine's stop: the drain
//   (http.shutdown_delay_ms + http.shutdown_grace_seconds, from the ConfigMap or
//   config/application.yaml) plus Main's 20 s margin for the rest, or Main's fixed 40 s before
//   those settings existed;
// - Kafka topics: 3 replicas, min.insync.replicas 2; the edge and API have an HPA and every role a
//   PodDisruptionBudget; no Secret is generated in the prod overlay; the Grafana dashboard's
//   tracklane_* metrics are all registered in src/main/java; with webhooks.secret_key in the engine,
//   the API and webhooks Deployments take it from a Secret.
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";

const [overlay, file] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const defaults = parse(readFileSync(join(here, "..", "..", "config", "application.yaml"), "utf8"));
const objects = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJSON()).filter(Boolean);
const ROLES = ["edge", "api", "ledger", "webhooks"];
const problems = [];
const fail = (msg) => problems.push(msg);

const of = (kind) => objects.filter((o) => o.kind === kind);
const config = of("ConfigMap").find((c) => c.metadata.name.startsWith("tracklane-config"));
if (!config) fail("no tracklane-config ConfigMap");
const env = (config && config.data) || {};
// A setting's value: the ConfigMap's variable, else config/application.yaml's default.
function setting(path) {
  const name = "TRACKLANE_" + path.toUpperCase().replace(/\./g, "_");
  if (env[name] !== undefined) return env[name];
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), defaults);
}
if (setting("http.ops_host") !== "0.0.0.0") fail("TRACKLANE_HTTP_OPS_HOST must be 0.0.0.0 (probes, scrapes)");
const opsPort = Number(setting("http.ops_port"));

function probe(container, kind, path) {
  const p = container[kind];
  if (!p || !p.httpGet) return fail(`${container.__owner}: no ${kind} (httpGet ${path})`);
  if (p.httpGet.path !== path) fail(`${container.__owner}: ${kind} on ${p.httpGet.path}, not ${path}`);
  const port = p.httpGet.port;
  const named = (container.ports || []).find((x) => x.name === port);
  if (port !== opsPort && !(named && named.containerPort === opsPort)) {
    fail(`${container.__owner}: ${kind} not on the ops port ${opsPort}`);
  }
}

const seconds = (duration) => Number(duration);
const drainSeconds = setting("http.shutdown_grace_seconds") === undefined
  ? 40
  : Number(setting("http.shutdown_delay_ms")) / 1000 + Number(setting("http.shutdown_grace_seconds")) + 20;

const deployments = of("Deployment");
const roles = new Map();
for (const d of deployments) {
  const name = `Deployment/${d.metadata.name}`;
  const spec = d.spec.template.spec;
  const c = spec.containers.find((x) => x.name === "tracklane");
  if (!c) { fail(`${name}: no container named tracklane`); continue; }
  c.__owner = name;
  const roleVar = (c.env || []).find((e) => e.name === "TRACKLANE_ROLES");
  const role = roleVar && roleVar.value;
  if (!ROLES.includes(role)) fail(`${name}: TRACKLANE_ROLES is ${role}, not one of ${ROLES.join(", ")}`);
  if (d.metadata.labels["app.kubernetes.io/component"] !== role
      || d.spec.template.metadata.labels["app.kubernetes.io/component"] !== role) {
    fail(`${name}: app.kubernetes.io/component label is not its role ${role}`);
  }
  roles.set(role, d);
  probe(c, "livenessProbe", "/health/live");
  probe(c, "readinessProbe", "/health/ready");
  const r = c.resources || {};
  for (const part of ["requests", "limits"]) {
    for (const res of ["cpu", "memory"]) {
      if (!r[part] || !r[part][res]) fail(`${name}: no ${res} ${part}`);
    }
  }
  const pause = ((c.lifecycle || {}).preStop || {}).sleep;
  if (!pause) fail(`${name}: no preStop sleep`);
  const grace = spec.terminationGracePeriodSeconds;
  const needed = (pause ? seconds(pause.seconds) : 0) + drainSeconds;
  if (!(grace > needed)) {
    fail(`${name}: terminationGracePeriodSeconds ${grace} is not longer than preStop + drain (${needed} s)`);
  }
}
for (const role of ROLES) if (!roles.has(role)) fail(`no Deployment for role ${role}`);

// Once the engine has webhooks.secret_key, the API and webhooks processes refuse to start with the
// development key: their Deployments must take TRACKLANE_WEBHOOKS_SECRET_KEY from a Secret.
if (defaults.webhooks && defaults.webhooks.secret_key !== undefined) {
  for (const role of ["api", "webhooks"]) {
    const d = roles.get(role);
    const c = d && d.spec.template.spec.containers.find((x) => x.name === "tracklane");
    const v = c && (c.env || []).find((e) => e.name === "TRACKLANE_WEBHOOKS_SECRET_KEY");
    if (!v || !v.valueFrom || !v.valueFrom.secretKeyRef) {
      fail(`Deployment/tracklane-${role}: TRACKLANE_WEBHOOKS_SECRET_KEY must come from a Secret (webhooks.secret_key)`);
    }
  }
}

// Ledger replicas bounded by the facts topic's partitions.
const factsTopic = setting("kafka.topic_facts");
const topics = of("KafkaTopic");
const facts = topics.find((t) => (t.spec.topicName || t.metadata.name) === factsTopic);
const ledger = roles.get("ledger");
if (!facts) {
  fail(`no KafkaTopic for ${factsTopic}`);
} else if (ledger) {
  const consumers = (ledger.spec.replicas ?? 1) * Number(setting("ledger.instances"));
  if (consumers > facts.spec.partitions) {
    fail(`ledger: ${consumers} consumers (replicas x ledger.instances) > ${facts.spec.partitions} partitions of ${factsTopic}`);
  }
  if (Number(setting("kafka.partitions")) !== facts.spec.partitions) {
    fail(`TRACKLANE_KAFKA_PARTITIONS ${setting("kafka.partitions")} differs from the KafkaTopic's ${facts.spec.partitions}`);
  }
}
for (const t of topics) {
  if (t.spec.replicas !== 3) fail(`KafkaTopic/${t.metadata.name}: replicas ${t.spec.replicas}, not 3`);
  if (String((t.spec.config || {})["min.insync.replicas"]) !== "2") {
    fail(`KafkaTopic/${t.metadata.name}: min.insync.replicas is not 2`);
  }
}

// Autoscalers and disruption budgets.
const hpaTargets = of("HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name);
for (const role of ["edge", "api"]) {
  if (!hpaTargets.includes(`tracklane-${role}`)) fail(`no HorizontalPodAutoscaler for ${role}`);
}
if (ledger && hpaTargets.includes(ledger.metadata.name)) fail("the ledger must not be autoscaled past its partitions");
const pdbs = of("PodDisruptionBudget").map((p) => p.spec.selector.matchLabels["app.kubernetes.io/component"]);
for (const role of ROLES) if (!pdbs.includes(role)) fail(`no PodDisruptionBudget for ${role}`);

// The dashboard's engine metrics must be ones the code registers (Counter.builder("tracklane_...")).
const dashboard = of("ConfigMap").find((c) => c.metadata.name === "tracklane-grafana-dashboard");
if (!dashboard) {
  fail("no tracklane-grafana-dashboard ConfigMap");
} else {
  const sources = execSync("grep -rhoE '\"tracklane_[a-z_]+\"' src/main/java", { cwd: join(here, "..", "..") })
    .toString();
  const known = new Set(sources.match(/tracklane_[a-z_]+/g));
  const used = new Set(JSON.stringify(JSON.parse(dashboard.data["tracklane.json"])).match(/tracklane_[a-z_]+/g));
  for (const m of used) if (!known.has(m)) fail(`dashboard uses ${m}, which the code does not register`);
}

if (overlay === "prod" && of("Secret").length) fail("prod must not carry Secrets (they come from outside)");

for (const p of problems) console.log(`FAIL ${overlay}: ${p}`);
console.log(`${overlay}: ${deployments.length} Deployments, ledger ${ledger ? ledger.spec.replicas : "-"} on ${facts ? facts.spec.partitions : "-"} partitions, grace > preStop + ${drainSeconds} s drain: ${problems.length ? problems.length + " problems" : "invariants hold"}`);
process.exit(problems.length ? 1 : 0);
