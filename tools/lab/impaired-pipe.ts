/**
 * A two-socket UDP relay that impairs one leg with netsim models and counts what crosses it.
 * Socket `a` talks to one peer, socket `b` to the other; a peer address is either fixed or
 * learned from the last datagram that peer sent.
 *
 * Reproducibility: each direction has one netsim link per packet class (first transmissions
 * of media, repairs, everything else), each seeded from its own PRNG stream. The n-th media
 * packet therefore meets the same fate in every run with the same seed, however the NACKs,
 * retransmissions and ICE checks of that run happened to interleave with it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { Link, modelsFromProfile, type LinkProfile } from '../../lib/netsim/link.js';
import { TokenBucket } from '../../lib/netsim/token-bucket.js';
import { RecoveryTracker, type RecoveryStats } from './recovery-tracker.js';
import { WireCounter, type PacketClass } from './wire-counter.js';

export interface Endpoint { address: string; port: number }

export interface PipeOptions {
  /** Where `a` and `b` bind (default 127.0.0.1). */
  host?: string;
  /** Where `b` binds instead, when its peer listens on another local address (Janus never gathers loopback). */
  bHost?: string;
  aPort?: number;
  bPort?: number;
  /** Fixed peers; without one, the peer is whoever last sent to that socket. */
  aPeer?: Endpoint;
  bPeer?: Endpoint;
  /** Which socket receives the media stream (camera leg: the camera sends to `a`; WebRTC leg: camwire sends to `b`). */
  mediaArrivesOn: 'a' | 'b';
  /** Link applied to the media direction. */
  media: LinkProfile;
  /** Link applied to the other direction. */
  reverse: LinkProfile;
  /** Datagrams smaller than this pass unimpaired. */
  minSize?: number;
  seed: number;
}

export interface PipeStats {
  media: Record<string, number>;
  reverse: Record<string, number>;
  wire: WireCounter['counts'];
  recovery: RecoveryStats;
  errors: number;
}

const CLASSES: readonly PacketClass[] = ['media', 'repair', 'rtcp', 'other'];

function droppedBy(link: Link<Buffer>): number {
  let n = 0;
  for (const m of link.models) n += m.stats.dropped ?? 0;
  return n;
}

class Direction {
  readonly links: Map<PacketClass, Link<Buffer>>;
  readonly counts = { in: 0, out: 0, dropped: 0, bypassed: 0, bytesIn: 0, bytesOut: 0 };
  /** The profile's tbf: one bottleneck every class shares (media, repairs and RTCP queue together, as on a real link). */
  readonly bottleneck: TokenBucket | undefined;
  private readonly shared: Link<Buffer> | undefined;
  private readonly out: (data: Buffer) => void;
  private toShared = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(profile: LinkProfile, seed: number, send: (data: Buffer) => void) {
    const { tbf, ...perClass } = profile;
    // rtcp and other share a stream: both are control traffic with no replay order to protect.
    this.links = new Map(CLASSES.map((c, i) => [c, new Link<Buffer>(modelsFromProfile(perClass, seed * 8 + Math.min(i, 2)))]));
    this.out = (d) => { this.counts.out++; this.counts.bytesOut += d.length; send(d); };
    if (tbf) {
      this.bottleneck = new TokenBucket(tbf);
      this.shared = new Link<Buffer>([this.bottleneck]);
    }
  }

  /** Sends `data` through the link of its class; returns true when the impairment dropped it. */
  push(data: Buffer, cls: PacketClass, impair: boolean): boolean {
    this.counts.in++;
    this.counts.bytesIn += data.length;
    if (!impair) {
      this.counts.bypassed++;
      this.out(data);
      return false;
    }
    const now = performance.now();
    const link = this.links.get(cls)!;
    const before = this.dropped();
    link.send(data, data.length, now);
    this.deliver(link, now);
    if (this.shared) this.shared.deliver(now, this.out);
    this.schedule();
    return this.dropped() !== before;
  }

  /** The bottleneck's rate now (kbit/s), undefined without one. */
  rateKbps(): number | undefined {
    return this.bottleneck?.rateKbps(performance.now());
  }

  dropped(): number {
    let n = this.bottleneck?.stats.dropped ?? 0;
    for (const l of this.links.values()) n += droppedBy(l);
    return n;
  }

  /** What a class link delivers goes on through the shared bottleneck, when there is one. */
  private deliver(link: Link<Buffer>, now: number): void {
    if (!this.shared) {
      link.deliver(now, this.out);
      return;
    }
    link.deliver(now, this.enterShared);
  }

  private readonly enterShared = (d: Buffer, at: number): void => {
    // Arrival times out of the class links interleave; the shared link wants them non-decreasing.
    this.toShared = Math.max(at, this.toShared);
    this.shared!.send(d, d.length, this.toShared);
  };

  modelStats(): Record<string, number> {
    const out: Record<string, number> = { ...this.counts };
    for (const [cls, l] of this.links) {
      for (const [model, s] of Object.entries(l.modelStats())) {
        for (const [k, v] of Object.entries(s)) if (k !== 'in') out[`${cls}.${model}.${k}`] = v;
      }
    }
    if (this.bottleneck) for (const [k, v] of Object.entries(this.bottleneck.stats)) out[`shared.${this.bottleneck.name}.${k}`] = v;
    return out;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    let at = Infinity;
    for (const l of this.links.values()) at = Math.min(at, l.nextDeadline());
    if (this.shared) at = Math.min(at, this.shared.nextDeadline());
    if (at === Infinity || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      const now = performance.now();
      for (const l of this.links.values()) this.deliver(l, now);
      if (this.shared) this.shared.deliver(now, this.out);
      this.schedule();
    }, Math.max(0, at - performance.now()));
  }
}

export class ImpairedPipe {
  readonly wire = new WireCounter();
  /** Repair latency of media packets the impairment dropped (plain NACK retransmissions only). */
  readonly recovery = new RecoveryTracker();
  private a!: Socket;
  private b!: Socket;
  private aPeer: Endpoint | undefined;
  private bPeer: Endpoint | undefined;
  private mediaDir!: Direction;
  private reverseDir!: Direction;
  private errors = 0;
  private closed = false;

  private constructor(private readonly o: PipeOptions) {
    this.aPeer = o.aPeer;
    this.bPeer = o.bPeer;
  }

  static async start(o: PipeOptions): Promise<ImpairedPipe> {
    const p = new ImpairedPipe(o);
    await p.open();
    return p;
  }

  get aPort(): number { return this.a.address().port; }
  get bPort(): number { return this.b.address().port; }

  /** Sets the peer of socket `b` (e.g. once camwire's port is known). */
  setPeer(which: 'a' | 'b', peer: Endpoint): void {
    if (which === 'a') this.aPeer = peer; else this.bPeer = peer;
  }

  /** The current peer of socket `which` (learned or fixed). */
  peer(which: 'a' | 'b'): Endpoint | undefined {
    return which === 'a' ? this.aPeer : this.bPeer;
  }

  /** Ends the measurement window (see WireCounter.cut). */
  cut(): void {
    this.wire.cut();
  }

  stats(): PipeStats {
    return { media: this.mediaDir.modelStats(), reverse: this.reverseDir.modelStats(), wire: { ...this.wire.counts }, recovery: this.recovery.stats(), errors: this.errors };
  }

  /** The media direction's bottleneck rate now (kbit/s), undefined when its profile has no tbf. */
  mediaRateKbps(): number | undefined {
    return this.mediaDir.rateKbps();
  }

  /** When the media direction's bottleneck schedule started (performance.now() time), undefined before a packet crossed it. */
  mediaOriginMs(): number | undefined {
    return this.mediaDir.bottleneck?.originMs;
  }

  /** Bytes that entered the media direction (what the server sent) and left it (what the viewer got). */
  mediaBytes(): { in: number; out: number } {
    return { in: this.mediaDir.counts.bytesIn, out: this.mediaDir.counts.bytesOut };
  }

  /** Datagrams the impairment dropped so far, by direction. */
  dropped(): { media: number; reverse: number } {
    return { media: this.mediaDir.dropped(), reverse: this.reverseDir.dropped() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.mediaDir.close();
    this.reverseDir.close();
    await Promise.all([this.a, this.b].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private async open(): Promise<void> {
    const host = this.o.host ?? '127.0.0.1';
    this.a = await bind(this.o.aPort ?? 0, host);
    try {
      this.b = await bind(this.o.bPort ?? 0, this.o.bHost ?? host);
    } catch (err) {
      this.a.close();
      throw err;
    }
    const toA = (d: Buffer) => this.sendTo(this.a, this.aPeer, d);
    const toB = (d: Buffer) => this.sendTo(this.b, this.bPeer, d);
    const mediaOnA = this.o.mediaArrivesOn === 'a';
    this.mediaDir = new Direction(this.o.media, this.o.seed, mediaOnA ? toB : toA);
    this.reverseDir = new Direction(this.o.reverse, this.o.seed + 7919, mediaOnA ? toA : toB);
    const minSize = this.o.minSize ?? 0;
    const onMedia = (msg: Buffer) => {
      const { cls, pass } = this.wire.media(msg);
      if (!pass) return;
      const dropped = this.mediaDir.push(msg, cls, msg.length >= minSize);
      const isRetransmission = cls === 'repair' && this.wire.isMediaSsrc(msg);
      if (cls === 'media' && dropped) this.recovery.lost(msg.readUInt16BE(2), performance.now());
      else if (isRetransmission && !dropped) this.recovery.repaired(msg.readUInt16BE(2), performance.now());
    };
    const onReverse = (msg: Buffer) => {
      const cls = this.wire.reverse(msg);
      this.reverseDir.push(msg, cls, msg.length >= minSize);
    };
    this.a.on('message', (msg, r) => {
      if (!this.o.aPeer) this.aPeer = { address: r.address, port: r.port };
      (mediaOnA ? onMedia : onReverse)(msg);
    });
    this.b.on('message', (msg, r) => {
      if (!this.o.bPeer) this.bPeer = { address: r.address, port: r.port };
      (mediaOnA ? onReverse : onMedia)(msg);
    });
    for (const s of [this.a, this.b]) s.on('error', () => { this.errors++; });
  }

  private sendTo(sock: Socket, peer: Endpoint | undefined, data: Buffer): void {
    if (this.closed || !peer) return;
    sock.send(data, peer.port, peer.address, (err) => { if (err) this.errors++; });
  }
}

function bind(port: number, host: string): Promise<Socket> {
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, host, () => { s.off('error', reject); resolve(s); });
  });
}

/** Binds an `a` socket pair on consecutive ports (even RTP, odd RTCP) for the RTSP camera leg. */
export async function evenPortPair(host = '127.0.0.1', tries = 20): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 20000);
    const got = await Promise.allSettled([bind(port, host), bind(port + 1, host)]);
    await Promise.all(got.map((g) => (g.status === 'fulfilled' ? new Promise<void>((r) => g.value.close(() => r())) : undefined)));
    if (got.every((g) => g.status === 'fulfilled')) return port;
  }
  throw new Error('no free even/odd UDP port pair');
}
