/**
 * UDP relay applying netsim models, for end-to-end tests over loopback: datagrams sent to
 * the relay's port go to `target` through the forward link; the target's answers (to the
 * relay's second socket) go back to the last client through the return link.
 * The only netsim file that does I/O (dgram, timers, the real clock).
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { NetModel } from './model.js';
import { Link, modelsFromProfile, type LinkProfile } from './link.js';

export interface UdpRelayOptions {
  /** Where forwarded datagrams go. */
  target: { port: number; host?: string };
  /** Address the relay listens on. Default 127.0.0.1. */
  host?: string;
  /** Port the relay listens on. Default 0 (any free port). */
  port?: number;
  /** Client -> target link. Default: a clean link. */
  forward?: LinkProfile | NetModel[];
  /** Target -> client link. Default: a clean link. */
  back?: LinkProfile | NetModel[];
  /** Seed for the models built from profiles. Default 1. */
  seed?: number;
}

/** Clean links both ways unless `forward` / `back` are given. */
export const UDP_RELAY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  seed: 1,
} as const satisfies Required<Pick<UdpRelayOptions, 'host' | 'port' | 'seed'>>);

export interface UdpRelay {
  /** Port clients send to. */
  readonly port: number;
  /** Port the relay sends to the target from (the target's answers go here). */
  readonly upstreamPort: number;
  readonly forward: Link<Buffer>;
  readonly back: Link<Buffer>;
  stats(): { forward: { sent: number; delivered: number }; back: { sent: number; delivered: number }; errors: number };
  close(): Promise<void>;
}

interface Direction {
  link: Link<Buffer>;
  out: Socket;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  to: () => { port: number; address: string } | undefined;
}

export async function startUdpRelay(options: UdpRelayOptions): Promise<UdpRelay> {
  const host = options.host ?? UDP_RELAY_DEFAULTS.host;
  const seed = options.seed ?? UDP_RELAY_DEFAULTS.seed;
  const build = (spec: LinkProfile | NetModel[] | undefined, s: number) =>
    new Link<Buffer>(Array.isArray(spec) ? spec : modelsFromProfile(spec ?? {}, s));
  const front = createSocket('udp4');
  const upstream = createSocket('udp4');
  let client: { port: number; address: string } | undefined;
  let errors = 0;
  let closed = false;
  const target = { port: options.target.port, address: options.target.host ?? host };
  const fwd: Direction = { link: build(options.forward, seed), out: upstream, timer: undefined, timerAt: Infinity, to: () => target };
  const bwd: Direction = { link: build(options.back, seed + 1), out: front, timer: undefined, timerAt: Infinity, to: () => client };
  const onError = () => { errors++; };
  front.on('error', onError);
  upstream.on('error', onError);

  const pump = (d: Direction) => {
    if (closed) return;
    d.link.deliver(performance.now(), (data) => {
      const to = d.to();
      if (to) d.out.send(data, to.port, to.address, (err) => { if (err) errors++; });
    });
    schedule(d);
  };
  const schedule = (d: Direction) => {
    if (closed) return;
    const at = d.link.nextDeadline();
    if (at === Infinity || at >= d.timerAt) return;
    if (d.timer) clearTimeout(d.timer);
    d.timerAt = at;
    d.timer = setTimeout(() => {
      d.timer = undefined;
      d.timerAt = Infinity;
      pump(d);
    }, Math.max(0, at - performance.now()));
  };

  front.on('message', (msg, rinfo) => {
    client = { port: rinfo.port, address: rinfo.address };
    fwd.link.send(msg, msg.length, performance.now());
    pump(fwd);
  });
  upstream.on('message', (msg) => {
    bwd.link.send(msg, msg.length, performance.now());
    pump(bwd);
  });

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(options.port ?? UDP_RELAY_DEFAULTS.port, host, () => { front.off('error', reject); resolve(); });
  });
  await new Promise<void>((resolve, reject) => {
    upstream.once('error', reject);
    upstream.bind(0, host, () => { upstream.off('error', reject); resolve(); });
  });

  return {
    port: front.address().port,
    upstreamPort: upstream.address().port,
    forward: fwd.link,
    back: bwd.link,
    stats: () => ({ forward: { ...fwd.link.stats }, back: { ...bwd.link.stats }, errors }),
    close: async () => {
      closed = true;
      for (const d of [fwd, bwd]) if (d.timer) clearTimeout(d.timer);
      await Promise.all([front, upstream].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
