/**
 * Headless Chromium for end-to-end tests (flags and recipe from ../shared/TESTING.md):
 * a fresh temp profile per launch, always removed on close.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLock } from '../../tools/machine-lock.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface Chromium {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** `executablePath` may be a wrapper (e.g. one that enters a network namespace). */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Chromium> {
  const release = await machineLock('chromium');
  const dir = mkdtempSync(join(tmpdir(), 'camwire-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(dir, { executablePath, args: FLAGS });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    release();
    throw err;
  }
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        release();
      }
    },
  };
}

/** inbound-rtp video numbers from RTCPeerConnection.getStats() (all zero until media flows). */
export interface InboundVideoStats {
  framesDecoded: number;
  framesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  freezeCount: number;
  totalFreezesDuration: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  retransmittedPacketsReceived: number;
  /** Sender reports Chromium received (remote-outbound-rtp.reportsSent). */
  senderReports: number;
  /** ms since the page's viewer started, when the first frame was decoded (or -1). */
  firstFrameMs: number;
}

/**
 * Page-side viewer: a recvonly RTCPeerConnection with a muted autoplay <video>. `window.__viewer(i)`.
 * Runs in the browser, so it is plain JavaScript in a string.
 */
export const VIEWER_SCRIPT = `
window.__viewers = [];
window.__startViewer = async function (whepUrl) {
  const v = { t0: performance.now(), firstFrameMs: -1 };
  const pc = new RTCPeerConnection();
  v.pc = pc;
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
  document.body.appendChild(video);
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); video.play().catch(() => {}); };
  v.video = video;
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await new Promise((res) => {
    if (pc.iceGatheringState === 'complete') return res();
    const t = setTimeout(res, 1000);
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); res(); } };
  });
  const r = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (r.status !== 201) throw new Error('WHEP answered ' + r.status + ': ' + (await r.text()));
  v.location = new URL(r.headers.get('location'), whepUrl).toString();
  await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  const poll = setInterval(async () => {
    if (v.firstFrameMs >= 0) return clearInterval(poll);
    const s = await window.__stats(v);
    if (s.framesDecoded > 0) v.firstFrameMs = performance.now() - v.t0;
  }, 20);
  window.__viewers.push(v);
  return window.__viewers.length - 1;
};
window.__stats = async function (v) {
  const out = { framesDecoded: 0, framesReceived: 0, packetsReceived: 0, packetsLost: 0, nackCount: 0, pliCount: 0, firCount: 0,
    freezeCount: 0, totalFreezesDuration: 0, frameWidth: 0, frameHeight: 0, framesPerSecond: 0, retransmittedPacketsReceived: 0, senderReports: 0, firstFrameMs: v.firstFrameMs };
  const report = await v.pc.getStats();
  report.forEach((s) => {
    if (s.type === 'remote-outbound-rtp' && s.kind === 'video') out.senderReports = s.reportsSent || 0;
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    for (const k of Object.keys(out)) if (k !== 'firstFrameMs' && k !== 'senderReports' && typeof s[k] === 'number') out[k] = s[k];
  });
  return out;
};
window.__viewerStats = (i) => window.__stats(window.__viewers[i]);
window.__stopViewer = async (i) => {
  const v = window.__viewers[i];
  v.pc.close();
  if (v.location) await fetch(v.location, { method: 'DELETE' }).catch(() => {});
};
`;

/** Starts a WHEP viewer in `page` (which must have VIEWER_SCRIPT); returns its index. */
export async function startViewer(page: Page, whepUrl: string): Promise<number> {
  return page.evaluate((url) => (globalThis as any).__startViewer(url), whepUrl);
}

export async function viewerStats(page: Page, index: number): Promise<InboundVideoStats> {
  return page.evaluate((i) => (globalThis as any).__viewerStats(i), index);
}

export async function stopViewer(page: Page, index: number): Promise<void> {
  await page.evaluate((i) => (globalThis as any).__stopViewer(i), index);
}
