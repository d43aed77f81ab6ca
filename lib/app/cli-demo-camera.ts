/**
 * `camwire demo-camera [--port N] [--host ADDR] [--clip FILE] [--path /demo] [--multicast]
 * [--audio pcmu|pcma|none] [--user U --password P [--auth basic|digest]]`: runs the demo camera until interrupted.
 */
import { startDemoCamera, type DemoCameraOptions } from '../rtsp/server/demo-camera.js';
import { CamwireError } from '../errors.js';

export const DEMO_CAMERA_USAGE = `usage: camwire demo-camera [--port N] [--host ADDR] [--clip FILE.h264] [--path /demo]
                           [--multicast] [--audio pcmu|pcma|none] [--user U --password P [--auth basic|digest]]
  Serves a looping H.264 clip over RTSP (UDP, TCP interleaved, optional multicast), with a
  G.711 audio track beside it (a beep on every second of the clip's clock).
  Defaults: --port 8554 --host 127.0.0.1 --path /demo --audio pcmu, the clip shipped in assets/demo.h264.
`;

export function parseDemoCameraArgs(argv: readonly string[]): DemoCameraOptions | string {
  const o: DemoCameraOptions = {};
  let user: string | undefined;
  let password: string | undefined;
  let method: 'basic' | 'digest' = 'digest';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (a) {
      case '--port': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0 || v > 65535) return `--port needs a port number`;
        o.port = v;
        break;
      }
      case '--host': o.host = value(); if (!o.host) return '--host needs an address'; break;
      case '--clip': o.clip = value(); if (!o.clip) return '--clip needs a file'; break;
      case '--path': o.path = value(); if (!o.path) return '--path needs a path'; break;
      case '--multicast': o.multicast = {}; break;
      case '--audio': {
        const v = value();
        if (v !== 'pcmu' && v !== 'pcma' && v !== 'none') return '--audio is pcmu, pcma or none';
        o.audio = v;
        break;
      }
      case '--user': user = value(); break;
      case '--password': password = value(); break;
      case '--auth': {
        const v = value();
        if (v !== 'basic' && v !== 'digest') return '--auth is basic or digest';
        method = v;
        break;
      }
      case '-h':
      case '--help':
        return '';
      default:
        return `unknown argument ${a}`;
    }
  }
  if ((user === undefined) !== (password === undefined)) return '--user and --password go together';
  if (user !== undefined && password !== undefined) o.auth = { users: { [user]: password }, methods: [method] };
  return o;
}

/** Runs until SIGINT/SIGTERM; resolves with the process exit code. */
export async function runDemoCamera(argv: readonly string[]): Promise<number> {
  const parsed = parseDemoCameraArgs(argv);
  if (typeof parsed === 'string') {
    if (parsed) process.stderr.write(`camwire demo-camera: ${parsed}\n`);
    process.stderr.write(DEMO_CAMERA_USAGE);
    return parsed ? 2 : 0;
  }
  let camera;
  try {
    camera = await startDemoCamera(parsed);
  } catch (err) {
    const code = err instanceof CamwireError ? ` (${err.code})` : '';
    process.stderr.write(`camwire demo-camera: ${(err as Error).message}${code}\n`);
    return 1;
  }
  process.stdout.write(`demo camera at ${camera.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await camera.close();
  return 0;
}
