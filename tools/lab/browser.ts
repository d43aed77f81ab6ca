/**
 * The viewer: headless Chromium (playwright-core, /usr/bin/chromium, flags from TESTING.md)
 * playing a camwire stream over WHEP, with the WebRTC leg forced through the lab's relay:
 * the offer goes out without candidates and the answer's candidates are replaced by the
 * relay's address, so every packet between Chromium and camwire crosses the ImpairedPipe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLock } from '../machine-lock.js';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CAMWIRE_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** inbound-rtp video fields sampled each second (names as in getStats). */
export const STAT_FIELDS = [
  'packetsReceived', 'packetsLost', 'nackCount', 'pliCount', 'firCount', 'framesReceived', 'framesDecoded',
  'keyFramesDecoded', 'framesDropped', 'freezeCount', 'totalFreezesDuration', 'pauseCount', 'totalPausesDuration',
  'jitterBufferDelay', 'jitterBufferEmittedCount', 'retransmittedPacketsReceived', 'framesPerSecond', 'frameWidth', 'frameHeight',
] as const;
export type BrowserStats = Record<(typeof STAT_FIELDS)[number], number>;

/** inbound-rtp audio, read once at the end of a run that takes audio. */
export interface BrowserAudioStats {
  packetsReceived: number;
  packetsLost: number;
  totalSamplesReceived: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  concealmentEvents: number;
  mimeType: string;
}

/** Page-side event log, polled every 100 ms: when PLIs went out and keyframes were decoded. */
export interface BrowserEvents {
  pliAt: number[];
  keyframeAt: number[];
  firstFrameAt: number;
  connectedAt: number;
}

const PAGE_SCRIPT = `
window.__lab = { fields: ${JSON.stringify(STAT_FIELDS)}, ev: { pliAt: [], keyframeAt: [], firstFrameAt: -1, connectedAt: -1 } };
window.__lab.read = async function () {
  const out = {};
  for (const f of window.__lab.fields) out[f] = 0;
  if (!window.__lab.pc) return out;
  const report = await window.__lab.pc.getStats();
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    for (const f of window.__lab.fields) if (typeof s[f] === 'number') out[f] = s[f];
  });
  return out;
};
window.__lab.readAudio = async function () {
  const out = { packetsReceived: 0, packetsLost: 0, totalSamplesReceived: 0, concealedSamples: 0, silentConcealedSamples: 0, concealmentEvents: 0, mimeType: '' };
  if (!window.__lab.pc) return out;
  const report = await window.__lab.pc.getStats();
  const codecs = new Map();
  report.forEach((s) => { if (s.type === 'codec') codecs.set(s.id, s.mimeType); });
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
    for (const f of Object.keys(out)) if (typeof s[f] === 'number') out[f] = s[f];
    out.mimeType = codecs.get(s.codecId) || '';
  });
  return out;
};
window.__lab.start = async function (whepUrl, relayPort, audio) {
  const lab = window.__lab;
  const pc = new RTCPeerConnection();
  lab.track(pc);
  pc.addTransceiver('video', { direction: 'recvonly' });
  if (audio) pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((res) => {
    if (pc.iceGatheringState === 'complete') return res();
    const t = setTimeout(res, 1000);
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); res(); } };
  });
  const offer = pc.localDescription.sdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates')).join('\\r\\n');
  const r = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
  const answer = await r.text();
  if (r.status !== 201) throw new Error('WHEP answered ' + r.status + ': ' + answer);
  lab.location = new URL(r.headers.get('location'), whepUrl).toString();
  const applied = (await window.__labAnswer(answer)) || answer;
  const lines = applied.split('\\r\\n').filter((l) => !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates'));
  const at = lines.findIndex((l) => l.startsWith('a=mid:'));
  lines.splice(at + 1, 0, 'a=candidate:1 1 UDP 2130706431 127.0.0.1 ' + relayPort + ' typ host', 'a=end-of-candidates');
  await pc.setRemoteDescription({ type: 'answer', sdp: lines.join('\\r\\n') });
  lab.startPolling();
};
window.__lab.track = function (pc) {
  const lab = window.__lab;
  lab.pc = pc;
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
  document.body.appendChild(video);
  pc.ontrack = (e) => {
    // audio plays in its own element (Chromium pulls, and so conceals, only what is played)
    const el = e.track.kind === 'audio' ? document.body.appendChild(document.createElement('audio')) : video;
    el.srcObject = new MediaStream([e.track]);
    el.play().catch(() => {});
  };
  pc.onconnectionstatechange = () => { if (pc.connectionState === 'connected' && lab.ev.connectedAt < 0) lab.ev.connectedAt = Date.now(); };
};
window.__lab.answer = async function (offerSdp, relayPort) {
  const lab = window.__lab;
  const pc = new RTCPeerConnection();
  lab.track(pc);
  const lines = offerSdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates'));
  const at = lines.findIndex((l) => l.startsWith('a=mid:'));
  lines.splice(at + 1, 0, 'a=candidate:1 1 UDP 2130706431 127.0.0.1 ' + relayPort + ' typ host', 'a=end-of-candidates');
  await pc.setRemoteDescription({ type: 'offer', sdp: lines.join('\\r\\n') });
  await pc.setLocalDescription(await pc.createAnswer());
  lab.startPolling();
  return pc.localDescription.sdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate') && !l.startsWith('a=end-of-candidates')).join('\\r\\n');
};
window.__lab.startPolling = function () {
  const lab = window.__lab;
  let last = { pliCount: 0, keyFramesDecoded: 0 };
  lab.poll = setInterval(async () => {
    const s = await lab.read();
    const now = Date.now();
    for (let i = last.pliCount; i < s.pliCount; i++) lab.ev.pliAt.push(now);
    for (let i = last.keyFramesDecoded; i < s.keyFramesDecoded; i++) lab.ev.keyframeAt.push(now);
    if (s.framesDecoded > 0 && lab.ev.firstFrameAt < 0) lab.ev.firstFrameAt = now;
    last = s;
  }, 100);
};
window.__lab.stop = async function () {
  const lab = window.__lab;
  clearInterval(lab.poll);
  if (lab.pc) lab.pc.close();
  if (lab.location) await fetch(lab.location, { method: 'DELETE' }).catch(() => {});
};
`;

export class LabBrowser {
  private constructor(private readonly context: BrowserContext, private readonly dir: string, readonly page: Page, private readonly release: () => void) {}

  static async launch(): Promise<LabBrowser> {
    const { chromium } = await import('playwright-core');
    // a lab run measures freezes: another Chromium test beside it would skew them
    const release = await machineLock('chromium');
    const dir = mkdtempSync(join(tmpdir(), 'camwire-lab-'));
    try {
      const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: FLAGS });
      const page = context.pages()[0] ?? (await context.newPage());
      return new LabBrowser(context, dir, page, release);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      release();
      throw err;
    }
  }

  /**
   * Plays `whepUrl` through the relay at 127.0.0.1:`relayPort`. `onAnswer` sees camwire's
   * real answer (with its candidates) and may return a modified one; Chromium applies that,
   * with the candidates replaced by the relay's.
   */
  async play(pageUrl: string, whepUrl: string, relayPort: number, onAnswer: (sdp: string) => string | void | Promise<string | void>, audio = false): Promise<void> {
    await this.page.exposeFunction('__labAnswer', onAnswer);
    await this.page.goto(pageUrl);
    await this.page.addScriptTag({ content: PAGE_SCRIPT });
    await this.page.evaluate(([u, p, a]) => (globalThis as any).__lab.start(u, p, a), [whepUrl, relayPort, audio] as const);
  }

  audioStats(): Promise<BrowserAudioStats> {
    return this.page.evaluate(() => (globalThis as any).__lab.readAudio());
  }

  /**
   * Answers a server's offer (Janus offers; camwire answers WHEP offers), with the offer's
   * candidates replaced by the relay's; resolves with the answer, without candidates, so the
   * server learns Chromium only through the relay.
   */
  async answer(pageUrl: string, offerSdp: string, relayPort: number): Promise<string> {
    await this.page.goto(pageUrl);
    await this.page.addScriptTag({ content: PAGE_SCRIPT });
    return this.page.evaluate(([o, p]) => (globalThis as any).__lab.answer(o, p), [offerSdp, relayPort] as const);
  }

  stats(): Promise<BrowserStats> {
    return this.page.evaluate(() => (globalThis as any).__lab.read());
  }

  events(): Promise<BrowserEvents> {
    return this.page.evaluate(() => (globalThis as any).__lab.ev);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  async close(): Promise<void> {
    try {
      await this.page.evaluate(() => (globalThis as any).__lab?.stop()).catch(() => undefined);
      await this.context.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      this.release();
    }
  }
}

/** Port of camwire's ICE host candidate in its answer (all candidates share the socket). */
export function answerCandidatePort(sdp: string): number | undefined {
  const m = /a=candidate:\S+ 1 UDP \d+ \S+ (\d+) typ host/i.exec(sdp);
  return m ? Number(m[1]) : undefined;
}
