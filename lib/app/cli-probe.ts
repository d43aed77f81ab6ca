/** `camwire probe <rtsp-url> [--transport udp|tcp|multicast|auto] [--seconds N] [--no-nack] [--no-reorder] [--json] [--renditions] [--ca FILE] [--insecure] [--servername NAME]` */
import { probe, formatProbe, type ProbeOptions } from '../ingest/probe.js';
import { probeRenditions, formatRenditions, PROBE_RENDITIONS_DEFAULTS } from '../ingest/probe-renditions.js';
import { redactText } from '../rtsp/protocol/url.js';
import type { RtspTransportPreference } from '../rtsp/client/types.js';
import type { RtspTlsOptions } from '../rtsp/client/tls.js';

export const PROBE_USAGE = 'usage: camwire probe <rtsp-url> [--transport udp|tcp|multicast|auto] [--seconds N] [--no-nack] [--no-reorder] [--json] [--renditions]\n'
  + '       rtsps:// only: [--ca FILE] [--insecure] [--servername NAME]\n';

const TRANSPORTS: readonly RtspTransportPreference[] = ['udp', 'tcp', 'multicast', 'auto'];

export interface ProbeArgs {
  url: string;
  transport: RtspTransportPreference;
  seconds: number;
  json: boolean;
  /** Send RTCP NACKs for lost packets on UDP (off with --no-nack, for comparison). */
  nack: boolean;
  /** Reorder buffer on UDP and multicast (off with --no-reorder). */
  reorder: boolean;
  /** Also try the vendors' sub-stream URLs and print a `renditions` block (only set when asked). */
  renditions?: true;
  /** rtsps://: a CA file to trust, skipped verification, the name the certificate must carry. */
  tls?: RtspTlsOptions;
}

/** Parses the arguments after `probe`; a string is a usage error. */
export function parseProbeArgs(argv: readonly string[]): ProbeArgs | string {
  const out: Partial<ProbeArgs> = { transport: 'auto', seconds: 5, json: false, nack: true, reorder: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--json') out.json = true;
    else if (flag === '--no-nack') out.nack = false;
    else if (flag === '--no-reorder') out.reorder = false;
    else if (flag === '--renditions') out.renditions = true;
    else if (flag === '--insecure' || flag === '--ca' || flag === '--servername') {
      const v = flag === '--insecure' ? true : value();
      if (v === undefined || v === '') return `${flag} needs a value`;
      out.tls = { ...out.tls, [flag.slice(2)]: v };
    }
    else if (flag === '--transport') {
      const v = value() as RtspTransportPreference;
      if (!TRANSPORTS.includes(v)) return `--transport must be one of ${TRANSPORTS.join(', ')}`;
      out.transport = v;
    } else if (flag === '--seconds') {
      const v = Number(value());
      if (!Number.isFinite(v) || v <= 0 || v > 3600) return '--seconds must be a number of seconds (0 < N <= 3600)';
      out.seconds = v;
    } else if (flag === '-h' || flag === '--help') return '';
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else if (out.url === undefined) out.url = a;
    else return 'only one URL';
  }
  if (!out.url) return 'an rtsp:// URL is required';
  if (!/^rtsps?:\/\//i.test(out.url)) return 'the URL must start with rtsp://';
  return out as ProbeArgs;
}

/** Runs the probe and prints the result; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runProbe(argv: readonly string[], extra: Partial<ProbeOptions> = {}): Promise<number> {
  const args = parseProbeArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write((args ? `camwire probe: ${args}\n` : '') + PROBE_USAGE);
    return 2;
  }
  const client = args.tls ? { ...extra.client, tls: args.tls } : extra.client;
  const options = { ...extra, client, url: args.url, transport: args.transport, nack: args.nack, reorder: args.reorder };
  if (args.renditions) return runRenditions(args, options);
  const r = await probe({ ...options, seconds: args.seconds });
  if (args.json) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(formatProbe(r));
  if (!r.ok && !args.json) process.stderr.write(`camwire probe: ${r.error?.code ?? 'FAILED'}: ${redactText(r.error?.message ?? 'no media')}\n`);
  return r.ok ? 0 : 1;
}

/** `--renditions`: each URL plays for PROBE_RENDITIONS_DEFAULTS.seconds, or a shorter --seconds. */
async function runRenditions(args: ProbeArgs, options: ProbeOptions): Promise<number> {
  const report = await probeRenditions({ ...options, seconds: Math.min(args.seconds, PROBE_RENDITIONS_DEFAULTS.seconds) });
  if (args.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(formatRenditions(report));
  const m = report.main;
  if (!m.ok && !args.json) process.stderr.write(`camwire probe: ${m.error?.code ?? 'FAILED'}: ${redactText(m.error?.message ?? 'no media')}\n`);
  return m.ok ? 0 : 1;
}
