/**
 * One viewer of a Janus streaming mountpoint over Janus's HTTP API: create a session, attach
 * `janus.plugin.streaming`, `watch` (Janus OFFERS), hand the offer to the caller's peer,
 * send its answer with `start`. Events arrive by long poll; a keepalive holds the session.
 */
import { randomUUID } from 'node:crypto';

interface JanusReply {
  janus: string;
  transaction?: string;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: string; sdp: string };
  sender?: number;
}

const KEEPALIVE_MS = 25_000;

export class JanusViewer {
  private closed = false;
  private readonly events: JanusReply[] = [];
  private waiters: (() => void)[] = [];
  private readonly keepalive: NodeJS.Timeout;

  private constructor(private readonly base: string, private readonly session: number, private readonly handle: number) {
    this.keepalive = setInterval(() => void this.post(`${this.base}/${this.session}`, { janus: 'keepalive' }).catch(() => undefined), KEEPALIVE_MS);
    void this.poll();
  }

  static async attach(base: string): Promise<JanusViewer> {
    const created = await request(base, { janus: 'create' });
    const session = created.data!.id;
    const attached = await request(`${base}/${session}`, { janus: 'attach', plugin: 'janus.plugin.streaming' });
    return new JanusViewer(base, session, attached.data!.id);
  }

  /** Asks to watch mountpoint `id`; resolves with Janus's SDP offer. */
  async watch(id: number, timeoutMs = 10_000): Promise<string> {
    await this.post(`${this.base}/${this.session}/${this.handle}`, { janus: 'message', body: { request: 'watch', id } });
    const ev = await this.next((e) => e.jsep?.type === 'offer' || e.plugindata?.data.error !== undefined, timeoutMs);
    if (!ev.jsep) throw new Error(`janus refused watch: ${JSON.stringify(ev.plugindata?.data)}`);
    return ev.jsep.sdp;
  }

  /** A synchronous streaming-plugin request (`info`, `list`): its plugin data. */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await this.post(`${this.base}/${this.session}/${this.handle}`, { janus: 'message', body });
    return r.plugindata?.data ?? {};
  }

  /** Sends the viewer's answer and starts the media. */
  async start(answerSdp: string): Promise<void> {
    await this.post(`${this.base}/${this.session}/${this.handle}`, { janus: 'message', body: { request: 'start' }, jsep: { type: 'answer', sdp: answerSdp } });
    await this.post(`${this.base}/${this.session}/${this.handle}`, { janus: 'trickle', candidate: { completed: true } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    await this.post(`${this.base}/${this.session}`, { janus: 'destroy' }).catch(() => undefined);
    for (const w of this.waiters) w();
  }

  private async next(match: (e: JanusReply) => boolean, timeoutMs: number): Promise<JanusReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.events.findIndex(match);
      if (at >= 0) return this.events.splice(at, 1)[0]!;
      if (this.closed) throw new Error('janus viewer closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no answer from janus in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  private async poll(): Promise<void> {
    while (!this.closed) {
      try {
        const r = await fetch(`${this.base}/${this.session}?maxev=10&rid=${Date.now()}`);
        const body = (await r.json()) as JanusReply | JanusReply[];
        for (const e of Array.isArray(body) ? body : [body]) if (e.janus !== 'keepalive') this.events.push(e);
      } catch {
        if (!this.closed) await new Promise((r) => setTimeout(r, 200));
      }
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  private async post(url: string, body: Record<string, unknown>): Promise<JanusReply> {
    return request(url, body);
  }
}

async function request(url: string, body: Record<string, unknown>): Promise<JanusReply> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, transaction: randomUUID() }) });
  const reply = (await r.json()) as JanusReply;
  if (reply.janus === 'error') throw new Error(`janus: ${reply.error?.code} ${reply.error?.reason}`);
  return reply;
}
