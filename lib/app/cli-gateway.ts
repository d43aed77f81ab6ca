/**
 * `camwire [name=]rtsp://... [more...] [--http HOST:PORT] [--rtsp HOST:PORT] [--capture DIR] [--record DIR] [--config FILE]
 * [--log-level error|warn|info|debug] [--log-format text|json]`: the main job; `--rtsp`
 * restreams every stream over RTSP (rtspServer in the config); `--capture` writes each stream's
 * pcapng capture into DIR (capture.dir in the config); `--record` records every stream (those
 * without their own `record` key) as fMP4 segments into DIR (record.dir). SIGHUP re-reads --config.
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
import { createLogger, LOG_FORMATS, LOG_LEVELS, LOGGER_DEFAULTS, systemClock, type ClosableLogger, type LogFields, type LogFormat, type LogLevel } from '../log/index.js';
import { configFileWriter } from './config-file.js';
import { createReloader } from './reload.js';
import type { StreamManager } from './stream-manager.js';
import type { StreamConfig } from '../gateway/gateway.js';

export interface GatewayArgs {
  sources: { name: string; url: string }[];
  http?: { host: string; port: number };
  /** Where the RTSP restream listens. */
  rtsp?: { host: string; port: number };
  configFile?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** `--capture DIR`: pcapng of every stream (capture.dir in the config). */
  captureDir?: string;
  /** `--record DIR`: fMP4 recording of every stream (record.dir in the config, `record: true` on streams that say nothing). */
  recordDir?: string;
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
    } else if (a === '--log-level' || a === '--log-format') {
      const v = argv[++i] ?? '';
      const allowed: readonly string[] = a === '--log-level' ? LOG_LEVELS : LOG_FORMATS;
      if (!allowed.includes(v)) return `${a} needs one of ${allowed.join('|')}, got "${v}"`;
      if (a === '--log-level') out.logLevel = v as LogLevel;
      else out.logFormat = v as LogFormat;
    } else if (a === '--capture') {
      out.captureDir = argv[++i];
      if (!out.captureDir) return '--capture needs a directory';
    } else if (a === '--record') {
      out.recordDir = argv[++i];
      if (!out.recordDir) return '--record needs a directory';
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
  if (args.recordDir) for (const [name, s] of Object.entries(streams)) streams[name] = { record: true, ...(s as object) };
  const http = { ...((file.http as object | undefined) ?? {}), ...(args.http ?? {}) };
  const rtsp = args.rtsp ? { rtspServer: { ...((file.rtspServer as object | undefined) ?? {}), ...args.rtsp } } : {};
  const log = { ...((file.log as object | undefined) ?? {}), ...(args.logLevel ? { level: args.logLevel } : {}), ...(args.logFormat ? { format: args.logFormat } : {}) };
  const capture = args.captureDir ? { capture: { ...((file.capture as object | undefined) ?? {}), dir: args.captureDir } } : {};
  const record = args.recordDir ? { record: { ...((file.record as object | undefined) ?? {}), dir: args.recordDir } } : {};
  return parseConfig({ ...file, http, streams, ...rtsp, ...capture, ...record, ...(Object.keys(log).length > 0 ? { log } : {}) });
}

export async function runGateway(argv: readonly string[]): Promise<number> {
  const args = parseGatewayArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`camwire: ${args}\n`);
    return 2;
  }
  let demo: DemoCamera | undefined;
  let config: CamwireConfig;
  let log: ClosableLogger | undefined;
  try {
    config = buildConfig(args);
    log = operatorLog(config);
    if (Object.keys(config.streams).length === 0) {
      demo = await startDemoCamera({ host: '127.0.0.1', port: 0 });
      config = parseConfig({ ...config, streams: demoStreams(demo, args.recordDir !== undefined) });
      say(log, config, 'camwire.demo-camera', { url: demo.url }, `no camera given: serving the built-in demo camera (${demo.url}) as "demo"`);
    }
  } catch (err) {
    await demo?.close();
    process.stderr.write(`camwire: ${err instanceof CamwireError || err instanceof SyntaxError ? err.message : String(err)}\n`);
    return 1;
  }
  const persist = config.persistApi && args.configFile ? configFileWriter(args.configFile) : undefined;
  const handle = await startGateway(config, { log, persist }).catch(async (err: unknown) => {
    await demo?.close();
    process.stderr.write(`camwire: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  });
  if (!handle) return 1;
  for (const name of Object.keys(config.streams)) {
    const rtsp = handle.rtspAddress ? ` and ${handle.rtspAddress}/${name}` : '';
    say(log, config, 'camwire.stream', { stream: name, watch: `${handle.address}/watch/${name}` }, `stream "${name}": ${handle.address}/watch/${name}${rtsp}`);
  }
  say(log, config, 'camwire.running', { address: handle.address }, `camwire is running: open ${handle.address}/ (Ctrl-C to stop)`);
  const hangup = watchHangup(args, config, handle.streams, log, demo ? { demo: config.streams.demo } : {});
  const signal = await nextSignal().signal;
  hangup.stop();
  if (signal === 'SIGTERM') await drain(handle.gateway, config.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs, (e, f, t) => say(log, config, e, f, t));
  say(log, config, 'camwire.stopping', {}, 'camwire: shutting down');
  await handle.close();
  await demo?.close();
  log.close();
  return 0;
}

/** The operator log on stdout, as the config (and --log-level/--log-format) says. */
function operatorLog(config: CamwireConfig): ClosableLogger {
  return createLogger(systemClock, (line) => process.stdout.write(line), { level: config.log?.level, format: config.log?.format });
}

/** Start-up and shutdown messages: plain sentences in text format (as always), log events in JSON. */
function say(log: ClosableLogger, config: CamwireConfig, event: string, fields: LogFields, text: string): void {
  if ((config.log?.format ?? LOGGER_DEFAULTS.format) === 'json') log.info(event, fields);
  else process.stdout.write(text + '\n');
}

/** SIGHUP re-reads --config (without one, says so); stop() removes the listener. */
function watchHangup(args: GatewayArgs, config: CamwireConfig, streams: StreamManager, log: ClosableLogger, extra: Record<string, StreamConfig>) {
  const reloader = createReloader(() => buildConfig(args), streams, config, log, extra);
  const on = () => {
    if (!args.configFile) return void log.warn('config.reload-refused', { error: 'SIGHUP needs --config FILE to read' });
    log.info('config.reloading', { file: args.configFile });
    void reloader.request();
  };
  process.on('SIGHUP', on);
  return { stop: () => process.off('SIGHUP', on) };
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
async function drain(gateway: Gateway, timeoutMs: number, tell: (event: string, fields: LogFields, text: string) => void): Promise<void> {
  const atStart = gateway.viewerCount;
  tell('camwire.draining', { viewers: atStart, timeoutMs }, `camwire: draining: ${atStart} viewers keep watching for up to ${timeoutMs} ms, new ones are refused`);
  const second = nextSignal();
  const result = await Promise.race([gateway.drain(timeoutMs), second.signal]);
  second.cancel();
  const left = typeof result === 'string' ? gateway.viewerCount : result.viewersLeft;
  const why = typeof result === 'string' ? `cut short by ${result}` : result.ended === 'empty' ? 'every viewer left' : 'drainTimeoutMs reached';
  tell('camwire.drained', { why, viewersLeft: left, viewers: atStart }, `camwire: drain over (${why}): ${left} of ${atStart} viewers still connected`);
}

/** The demo camera's two profiles as the renditions of "demo", as a real camera's main and sub streams, so the player shows its quality menu. */
function demoStreams(demo: DemoCamera, record: boolean): Record<string, StreamConfig> {
  const renditions = [{ name: '720p', url: demo.url }, ...(demo.subUrl !== undefined ? [{ name: '360p', url: demo.subUrl }] : [])];
  return { demo: { ...(renditions.length > 1 ? { renditions } : { url: demo.url }), ...(record ? { record: true } : {}) } };
}
