/**
 * The Kubernetes examples in deploy/kubernetes (Kubernetes does not run here): every YAML file
 * parses (PyYAML, through python3) into objects with apiVersion, kind and a name; the edge
 * Deployment probes /readyz and /healthz on its HTTP port, outlives its drain
 * (terminationGracePeriodSeconds > drainTimeoutMs), runs a command line and config camwire
 * accepts, mounts that config where the command line reads it; the Service selects the edge pods.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseGatewayArgs } from '../../lib/app/cli-gateway.js';
import { GATEWAY_DEFAULTS } from '../../lib/gateway/gateway.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { inCI, repoRoot } from '../../test/support/env.js';

type Doc = Record<string, any>;

const dir = join(repoRoot, 'deploy', 'kubernetes');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

/** Every document of every file, as JSON, or why they cannot be read here. */
function loadAll(): { docs: Map<string, Doc[]> } | { skip: string } {
  const script = 'import json, sys, yaml\nprint(json.dumps({f: list(yaml.safe_load_all(open(f))) for f in sys.argv[1:]}))';
  const r = spawnSync('python3', ['-c', script, ...files.map((f) => join(dir, f))], { encoding: 'utf8' });
  if (r.error || (r.status !== 0 && /No module named 'yaml'/.test(r.stderr))) {
    if (inCI) throw new Error('python3 with PyYAML is required in CI');
    return { skip: 'python3 with PyYAML (python3-yaml) not installed' };
  }
  if (r.status !== 0) return { docs: new Map([['(parse error)', [{ error: r.stderr }]]]) };
  const parsed = JSON.parse(r.stdout) as Record<string, Doc[]>;
  return { docs: new Map(files.map((f) => [f, parsed[join(dir, f)]])) };
}

const loaded = loadAll();
const skip = 'skip' in loaded ? loaded.skip : false;
const all = 'docs' in loaded ? [...loaded.docs.values()].flat() : [];
const ofKind = (kind: string) => all.filter((d) => d?.kind === kind);

t.test('deploy/kubernetes holds YAML files', (t) => {
  t.ok(files.length >= 3, `files: ${files.join(', ')}`);
  t.end();
});

t.test('every YAML file parses into named Kubernetes objects', { skip }, (t) => {
  for (const [file, docs] of (loaded as { docs: Map<string, Doc[]> }).docs) {
    t.ok(docs.length > 0, `${file}: at least one document`);
    for (const d of docs) {
      t.match(d, { apiVersion: String, kind: String, metadata: { name: String } }, `${file}: ${d?.kind ?? 'not an object'}`);
    }
  }
  t.end();
});

t.test('the edge Deployment: probes, drain, command line and config', { skip }, (t) => {
  const [deployment] = ofKind('Deployment');
  t.ok(deployment, 'a Deployment');
  const pod = deployment.spec.template.spec;
  const [c] = pod.containers;
  t.same(deployment.spec.selector.matchLabels, pick(deployment.spec.template.metadata.labels, deployment.spec.selector.matchLabels), 'the selector matches its pods');
  const http = c.ports.find((p: Doc) => p.containerPort === 8080);
  t.ok(http, 'container port 8080');
  t.equal(c.readinessProbe.httpGet.path, '/readyz');
  t.equal(c.livenessProbe.httpGet.path, '/healthz');
  for (const probe of [c.readinessProbe, c.livenessProbe]) t.ok(probe.httpGet.port === http.name || probe.httpGet.port === 8080, 'probes on the HTTP port');

  const args = parseGatewayArgs(c.args.slice(2));
  t.same(c.args.slice(0, 2), ['node', 'dist/lib/app/cli.js'], 'the image CMD');
  if (typeof args === 'string') return void t.fail(args);
  t.same(args.http, { host: '0.0.0.0', port: 8080 });

  const mount = c.volumeMounts.find((m: Doc) => args.configFile?.startsWith(m.mountPath + '/'));
  t.ok(mount, `--config ${args.configFile} is inside a mounted volume`);
  const volume = pod.volumes.find((v: Doc) => v.name === mount?.name);
  const configMap = ofKind('ConfigMap').find((m) => m.metadata.name === volume?.configMap?.name);
  t.ok(configMap, 'that volume is the ConfigMap');
  const key = args.configFile!.slice(mount.mountPath.length + 1);
  const config = parseConfig(JSON.parse(configMap!.data[key]));
  t.ok(Object.keys(config.streams).length > 0, 'the config names a camera');
  t.ok(config.webrtc?.portRangeBegin !== undefined, 'ICE ports in a known range (hostNetwork: the firewall must open them)');
  t.equal(pod.hostNetwork, true, 'hostNetwork: the ICE candidates are reachable node addresses');

  const drainS = (config.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs) / 1000;
  t.ok(pod.terminationGracePeriodSeconds > drainS, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > drainTimeoutMs ${drainS} s`);
  t.end();
});

t.test('the Service selects the edge pods on their HTTP port', { skip }, (t) => {
  const [service] = ofKind('Service');
  const [deployment] = ofKind('Deployment');
  t.ok(service && deployment);
  const labels = deployment.spec.template.metadata.labels;
  t.same(pick(labels, service.spec.selector), service.spec.selector, 'selector matches the pod labels');
  const names = deployment.spec.template.spec.containers[0].ports.map((p: Doc) => p.name);
  for (const p of service.spec.ports) t.ok(names.includes(p.targetPort) || p.targetPort === 8080, `targetPort ${p.targetPort}`);
  t.equal(service.spec.sessionAffinity, 'ClientIP', 'a WHEP DELETE reaches the edge holding the session');
  t.end();
});

function pick(from: Doc, keysOf: Doc): Doc {
  return Object.fromEntries(Object.keys(keysOf).map((k) => [k, from[k]]));
}
