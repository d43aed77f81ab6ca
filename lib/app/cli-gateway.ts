/**
 * `camwire [name=]rtsp://... [more...] [--http HOST:PORT] [--rtsp HOST:PORT] [--capture DIR] [--config FILE]`:
 * the main job; `--rtsp` restreams every stream over RTSP (rtspServer in the config); `--capture`
 * writes each stream's pcapng capture into DIR (capture.dir in the config).
 * With no source at all, the built-in demo camera is started and served as `demo`, so a fresh
 * checkout shows moving video with no camera. Ctrl-C (SIGINT) shuts down cleanly at once:
 * TEARDOWN to the cameras, peers closed, process exits. SIGTERM (what an orchestrator sends)
 * drains first: new viewers are refused and /readyz fails while the current viewers keep
 * watching, until they have all left or drainTimeoutMs has passed; a second signal cuts the
 * drain short. A signal during the shutdown itself ends the process as Node's default does.
 */
import { readFileSync } from 'node:fs';
import { CamwireError } from '../errors.js';
import { parseConfig, type CamwireConfig } from '../gateway/config.js';
import { GATEWAY_DEFAULTS, type Gateway } from '../gateway/gateway.js';
import { startGateway } from './start.js';
import { startDemoCamera, type DemoCamera } from '../rtsp/server/demo-camera.js';
import { redactUrl } from '../rtsp/protocol/url.js';

export interface GatewayArgs {
  sources: { name: string; url: string }[];
  http?: { host: string; port: number };
  /** Where the RTSP restream listens. */
  rtsp?: { host: string; port: number };
  configFile?: string;
  /** `--capture DIR`: pcapng of every stream (capture.dir in the config). */
  captureDir?: string;
}

/** Parses the command line; a string is a usage error. */
export function parseGatewayArgs(argv: readonly string[]): GatewayArgs | string {
  const out: GatewayArgs = { sources: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--http' || a === '--rtsp') {
      const v = argv[++i] ?? '';
      const listener = parseListener(v);
      if (!listener) return `${a} needs HOST:PORT or PORT, got "${v}"`;
      if (a === '--http') out.http = listener;
      else out.rtsp = listener;
    } else if (a === '--capture') {
      out.captureDir = argv[++i];
      if (!out.captureDir) return '--capture needs a directory';
    } else if (a === '--config') {
      out.configFile = argv[++i];
      if (!out.configFile) return '--config needs a file';
    } else if (a.startsWith('--')) {
      return `unknown option ${a}`;
    } else {
      const m = /^([A-Za-z0-9._-]{1,64})=(rtsps?:\/\/.*)$/.exec(a);
      const source = m ? { name: m[1], url: m[2] } : { name: '', url: a };
      if (!/^rtsps?:\/\//i.test(source.url)) return `not an rtsp:// URL: ${redactUrl(source.url)}`;
      out.sources.push(source);
    }
  }
  // A bare URL is `cam`; several bare URLs are cam, cam2, cam3...
  let bare = 0;
  for (const s of out.sources) if (!s.name) s.name = bare++ === 0 ? 'cam' : `cam${bare}`;
  return out;
}

/** `HOST:PORT`, `[v6]:PORT` or `PORT` (host 127.0.0.1). */
function parseListener(v: string): { host: string; port: number } | undefined {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) return undefined;
  return { host: m[1] ? m[1].replace(/^\[(.*)\]$/, '$1') : '127.0.0.1', port };
}

/** Merges the config file (if any) and the command line; the command line wins. */
export function buildConfig(args: GatewayArgs): CamwireConfig {
  const file: Record<string, unknown> = args.configFile ? (JSON.parse(readFileSync(args.configFile, 'utf8')) as Record<string, unknown>) : {};
  const streams = { ...((file.streams as Record<string, unknown> | undefined) ?? {}) };
  for (const s of args.sources) streams[s.name] = { ...((streams[s.name] as object | undefined) ?? {}), url: s.url };
  const http = { ...((file.http as object | undefined) ?? {}), ...(args.http ?? {}) };
  const rtsp = args.rtsp ? { rtspServer: { ...((file.rtspServer as object | undefined) ?? {}), ...args.rtsp } } : {};
  const capture = args.captureDir ? { capture: { ...((file.capture as object | undefined) ?? {}), dir: args.captureDir } } : {};
  return parseConfig({ ...file, http, streams, ...rtsp, ...capture });
}

export async function runGateway(argv: readonly string[]): Promise<number> {
  const args = parseGatewayArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`camwire: ${args}\n`);
    return 2;
  }
  let demo: DemoCamera | undefined;
  let config: CamwireConfig;
  try {
    config = buildConfig(args);
    if (Object.keys(config.streams).length === 0) {
      demo = await startDemoCamera({ host: '127.0.0.1', port: 0 });
      config = parseConfig({ ...config, streams: { demo: { url: demo.url } } });
      process.stdout.write(`no camera given: serving the built-in demo camera (${demo.url}) as "demo"\n`);
    }
  } catch (err) {
    await demo?.close();
    process.stderr.write(`camwire: ${err instanceof CamwireError || err instanceof SyntaxError ? err.message : String(err)}\n`);
    return 1;
  }
  const handle = await startGateway(config).catch(async (err: unknown) => {
    await demo?.close();
    process.stderr.write(`camwire: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  });
  if (!handle) return 1;
  for (const name of Object.keys(config.streams)) {
    const rtsp = handle.rtspAddress ? ` and ${handle.rtspAddress}/${name}` : '';
    process.stdout.write(`stream "${name}": ${handle.address}/watch/${name}${rtsp}\n`);
  }
  process.stdout.write(`camwire is running: open ${handle.address}/ (Ctrl-C to stop)\n`);
  if ((await nextSignal().signal) === 'SIGTERM') await drain(handle.gateway, config.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs);
  process.stdout.write('camwire: shutting down\n');
  await handle.close();
  await demo?.close();
  return 0;
}

/** The next SIGINT or SIGTERM; `cancel` (or the signal itself) removes the listeners, so Node's default applies again. */
function nextSignal(): { signal: Promise<NodeJS.Signals>; cancel(): void } {
  let cancel: () => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => {
      cancel();
      resolve(s);
    };
    cancel = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { signal, cancel };
}

/** Serves the current viewers until they leave or `timeoutMs` passes, refusing new ones; a second signal ends it early. */
async function drain(gateway: Gateway, timeoutMs: number): Promise<void> {
  const atStart = gateway.viewerCount;
  process.stdout.write(`camwire: draining: ${atStart} viewers keep watching for up to ${timeoutMs} ms, new ones are refused\n`);
  const second = nextSignal();
  const result = await Promise.race([gateway.drain(timeoutMs), second.signal]);
  second.cancel();
  const left = typeof result === 'string' ? gateway.viewerCount : result.viewersLeft;
  const why = typeof result === 'string' ? `cut short by ${result}` : result.ended === 'empty' ? 'every viewer left' : 'drainTimeoutMs reached';
  process.stdout.write(`camwire: drain over (${why}): ${left} of ${atStart} viewers still connected\n`);
}
