/**
 * Viewer churn against a gateway in a child process: `count` node-datachannel viewers join over
 * WHEP (each waits for its track to open and video to arrive), then leave with DELETE, a few
 * at a time. Reports the child's heap and RSS (after full collections) before and after, and
 * what it still holds: native peers and viewers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import nodeDataChannel from 'node-datachannel';
import { repoRoot } from './env.js';

export interface ChurnMemory {
  heapUsed: number;
  rss: number;
  external: number;
  peers: number;
  viewers: number;
}

export interface ChurnResult {
  joined: number;
  failed: number;
  /** Client-side libdatachannel refusals of a valid answer, retried with a fresh peer... */
  clientRetries: number;
  /** ...and viewers that met it five times in a row (the client's failure, not camwire's). */
  clientGaveUp: number;
  /** Viewers that received RTP before leaving. */
  sawVideo: number;
  /** After a warm-up of `warmup` cycles (buffers, JIT, native pools reach their working size). */
  before: ChurnMemory;
  /** After half the viewers, and after all of them (settled: see `settled`). */
  middle: ChurnMemory;
  after: ChurnMemory;
  errors: string[];
}

function ask(child: ChildProcess, cmd: string): Promise<ChurnMemory> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as ChurnMemory));
    child.send({ cmd });
  });
}

/**
 * libdatachannel as an offerer now and then refuses a valid answer ("Got a remote candidate
 * without ICE transport"); a fresh PeerConnection then joins fine. Not camwire's doing: retried.
 */
class ClientQuirk extends Error {}

/** One viewer's life: offer, WHEP POST, track open, some RTP, DELETE, close. True if it saw video. */
async function oneViewer(address: string, id: number): Promise<boolean> {
  const pc = new nodeDataChannel.PeerConnection(`churn-${id}`, { iceServers: [], bindAddress: '127.0.0.1' });
  try {
    const video = new nodeDataChannel.Video('0', 'RecvOnly');
    video.addH264Codec(102, 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1');
    const track = pc.addTrack(video);
    let packets = 0;
    let gotVideo: () => void = () => undefined;
    const video5 = new Promise<void>((r) => (gotVideo = r));
    track.onMessage((m) => {
      if (m.length >= 12 && !((m[1] & 0x7f) >= 72 && (m[1] & 0x7f) <= 79) && ++packets === 5) gotVideo();
    });
    const offer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gathering timeout')), 10_000);
      pc.onGatheringStateChange((s) => {
        if (s === 'complete') {
          clearTimeout(timer);
          resolve(pc.localDescription()?.sdp ?? '');
        }
      });
      pc.setLocalDescription();
    });
    const res = await fetch(address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${answer}`);
    try {
      pc.setRemoteDescription(answer, 'answer');
    } catch (err) {
      await fetch(address + res.headers.get('location'), { method: 'DELETE' });
      throw new ClientQuirk(String(err));
    }
    const saw = await Promise.race([video5.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    const del = await fetch(address + res.headers.get('location'), { method: 'DELETE' });
    // 404: the gateway already ended it (its peer failed or closed first): gone either way
    if (del.status !== 200 && del.status !== 404) throw new Error(`DELETE ${del.status}`);
    return saw;
  } finally {
    pc.close();
  }
}

/**
 * Peers close asynchronously on both sides and their native memory goes back to the allocator
 * later still (slowly on a loaded machine): readings for up to `settleMs`, the one with the
 * lowest RSS, stopping early once it is back near `baseline`.
 */
async function settled(child: ChildProcess, baseline: ChurnMemory, settleMs: number): Promise<ChurnMemory> {
  const until = Date.now() + settleMs;
  let best: ChurnMemory | undefined;
  for (;;) {
    await new Promise((res) => setTimeout(res, 500));
    const m = await ask(child, 'mem');
    if (!best || m.rss < best.rss) best = m;
    if (best.rss - baseline.rss < 4 * 1048576 || Date.now() > until) return best;
  }
}

export async function runChurn(count: number, concurrency = 8, warmup = 40, settleMs = 8000): Promise<ChurnResult> {
  // Without the test runner's loaders and coverage (they would be measured as camwire's memory).
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.NODE_V8_COVERAGE;
  const child = fork(join(repoRoot, 'dist/test/support/churn-gateway.js'), [], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /"address":"([^"]+)"/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`gateway child exited (${code})`)));
    });
    const r: ChurnResult = { joined: 0, failed: 0, clientRetries: 0, clientGaveUp: 0, sawVideo: 0, before: undefined as unknown as ChurnMemory, middle: undefined as unknown as ChurnMemory, after: undefined as unknown as ChurnMemory, errors: [] };
    const cycle = async (n: number, counted: boolean) => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const id = next++;
          for (let attempt = 0; ; attempt++) {
            try {
              const saw = await oneViewer(address, id * 10 + attempt);
              if (counted) {
                r.joined++;
                if (saw) r.sawVideo++;
              }
              break;
            } catch (err) {
              if (err instanceof ClientQuirk && attempt < 4) {
                if (counted) r.clientRetries++;
                continue;
              }
              if (counted) {
                if (err instanceof ClientQuirk) r.clientGaveUp++;
                else r.failed++;
              }
              if (r.errors.length < 5) r.errors.push(String(err));
              break;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await cycle(warmup, false);
    await new Promise((res) => setTimeout(res, 500));
    r.before = await ask(child, 'mem');
    // Half, then the rest: a leak grows with every viewer, so it shows as much in the second
    // half as in the first; the allocator settling into its working size shows only once.
    await cycle(Math.floor(count / 2), true);
    r.middle = await settled(child, r.before, settleMs);
    await cycle(count - Math.floor(count / 2), true);
    r.after = await settled(child, r.before, settleMs);
    return r;
  } finally {
    child.send({ cmd: 'close' });
    await new Promise((res) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); res(undefined); }, 5000);
      child.once('exit', () => { clearTimeout(t); res(undefined); });
    });
  }
}
