/**
 * Janus as a child process, configured for one comparison run: a generated config folder
 * (HTTP transport on a free loopback port, only the streaming plugin, ICE on loopback only)
 * with one `rtsp` mountpoint per camera. Janus pulls the camera itself (libcurl RTSP, RTP
 * over UDP), exactly as a deployment of it would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const JANUS_BIN = process.env.CAMWIRE_JANUS ?? 'janus';

export interface JanusMountpoint {
  id: number;
  name: string;
  /** rtsp:// URL without credentials. */
  url: string;
  user?: string;
  password?: string;
}

export interface JanusOptions {
  mountpoints: readonly JanusMountpoint[];
  /** Janus's own NACK queue length in ms (its `min_nack_queue`; Debian default 500). */
  minNackQueueMs?: number;
  log?: (line: string) => void;
}

/** Why Janus cannot run here, or undefined when it can. */
export function janusMissing(): string | undefined {
  // `janus --version` prints the version and exits 1
  const r = spawnSync(JANUS_BIN, ['--version'], { encoding: 'utf8' });
  if (r.error || !/Janus version/.test(r.stdout + r.stderr)) return `janus not found (${JANUS_BIN}); apt-get install janus`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const ALL_PLUGINS = ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'textroom', 'videocall', 'videoroom', 'voicemail'];
const OTHER_TRANSPORTS = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'];

function janusConfig(dir: string, o: JanusOptions): string {
  const nackQueue = o.minNackQueueMs === undefined ? '' : `\tmin_nack_queue = ${o.minNackQueueMs}\n`;
  return `general: {
\tconfigs_folder = "${dir}"
\tplugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"
\ttransports_folder = "/usr/lib/x86_64-linux-gnu/janus/transports"
\tevents_folder = "/usr/lib/x86_64-linux-gnu/janus/events"
\tloggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"
\tdebug_level = 4
}
media: {
${nackQueue}}
nat: {
\tice_enforce_list = "lo"
\tignore_mdns = true
}
plugins: {
\tdisable = "${ALL_PLUGINS.map((p) => `libjanus_${p}.so`).join(',')}"
}
transports: {
\tdisable = "${OTHER_TRANSPORTS.map((p) => `libjanus_${p}.so`).join(',')}"
}
events: {
\tbroadcast = false
}
loggers: {
\tdisable = "libjanus_jsonlog.so"
}
`;
}

function streamingConfig(o: JanusOptions): string {
  const q = (s: string) => JSON.stringify(s);
  return o.mountpoints.map((m) => `${m.name}: {
\ttype = "rtsp"
\tid = ${m.id}
\tdescription = ${q(m.name)}
\taudio = false
\tvideo = true
\turl = ${q(m.url)}
${m.user ? `\trtsp_user = ${q(m.user)}\n\trtsp_pwd = ${q(m.password ?? '')}\n` : ''}\trtspiface = "127.0.0.1"
\trtsp_reconnect_delay = 5
\trtsp_timeout = 10
\trtsp_conn_timeout = 5
}
`).join('');
}

export class JanusProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess, private readonly dir: string, readonly httpUrl: string) {
    const keep = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(o: JanusOptions): Promise<JanusProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'camwire-janus-'));
    const port = await freePort();
    writeFileSync(join(dir, 'janus.jcfg'), janusConfig(dir, o));
    writeFileSync(join(dir, 'janus.transport.http.jcfg'), `general: {\n\tjson = "plain"\n\tbase_path = "/janus"\n\thttp = true\n\tport = ${port}\n\tip = "127.0.0.1"\n\thttps = false\n}\nadmin: {\n\tadmin_http = false\n}\n`);
    writeFileSync(join(dir, 'janus.plugin.streaming.jcfg'), streamingConfig(o));
    const child = spawn(JANUS_BIN, ['-F', dir, '-C', join(dir, 'janus.jcfg'), '--disable-colors'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const j = new JanusProcess(child, dir, `http://127.0.0.1:${port}/janus`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) {
        const out = j.output;
        j.cleanup();
        throw new Error(`janus exited with ${child.exitCode}: ${out.slice(-2000)}`);
      }
      try {
        const r = await fetch(`${j.httpUrl}/info`);
        if (r.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        await j.stop();
        throw new Error(`janus did not answer on ${j.httpUrl} within 10 s: ${j.output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    o.log?.(`janus at ${j.httpUrl}`);
    return j;
  }

  /** The address Janus gathers ICE candidates on ("Using X as local IP" in its log). */
  localIp(): string | undefined {
    return /Using (\S+) as local IP/.exec(this.output)?.[1];
  }

  /** Janus's recent console output (for a failed run's report). */
  log(): string {
    return this.output;
  }

  pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.cleanup();
  }

  private cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
