/**
 * Page-side WHEP viewer that takes audio and video (recvonly both), playing them unmuted in one
 * <video> (Chromium runs with --autoplay-policy=no-user-gesture-required), and its getStats()
 * numbers: audio samples, concealment, level, codec; video frames; the A/V offset Chromium
 * plays at, from estimatedPlayoutTimestamp of both tracks (NTP ms on the sender's clock).
 */
import type { Page } from 'playwright-core';

export const AV_VIEWER_SCRIPT = `
window.__av = { pc: null };
window.__startAv = async function (whepUrl) {
  const pc = new RTCPeerConnection();
  window.__av.pc = pc;
  const video = document.createElement('video');
  video.autoplay = true; video.playsInline = true; video.width = 320;
  document.body.appendChild(video);
  const stream = new MediaStream();
  video.srcObject = stream;
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => { stream.addTrack(e.track); video.play().catch(() => {}); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((res) => {
    if (pc.iceGatheringState === 'complete') return res();
    const t = setTimeout(res, 1000);
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); res(); } };
  });
  const r = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (r.status !== 201) throw new Error('WHEP answered ' + r.status + ': ' + (await r.text()));
  const answer = await r.text();
  window.__av.answer = answer;
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
};
window.__avStats = async function () {
  const report = await window.__av.pc.getStats();
  const out = { audio: { totalSamplesReceived: 0, concealedSamples: 0, audioLevel: 0, totalAudioEnergy: 0, packetsLost: 0, packetsReceived: 0, mimeType: '', playout: 0 },
    video: { framesDecoded: 0, freezeCount: 0, playout: 0 }, offsetMs: null };
  const codecs = new Map();
  report.forEach((s) => { if (s.type === 'codec') codecs.set(s.id, s.mimeType); });
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'audio') {
      Object.assign(out.audio, { totalSamplesReceived: s.totalSamplesReceived || 0, concealedSamples: s.concealedSamples || 0,
        audioLevel: s.audioLevel || 0, totalAudioEnergy: s.totalAudioEnergy || 0, packetsLost: s.packetsLost || 0, packetsReceived: s.packetsReceived || 0,
        mimeType: codecs.get(s.codecId) || '', playout: s.estimatedPlayoutTimestamp || 0 });
    } else if (s.kind === 'video') {
      Object.assign(out.video, { framesDecoded: s.framesDecoded || 0, freezeCount: s.freezeCount || 0, playout: s.estimatedPlayoutTimestamp || 0 });
    }
  });
  if (out.audio.playout > 0 && out.video.playout > 0) out.offsetMs = out.audio.playout - out.video.playout;
  return out;
};
`;

export interface AvStats {
  audio: { totalSamplesReceived: number; concealedSamples: number; audioLevel: number; totalAudioEnergy: number; packetsLost: number; packetsReceived: number; mimeType: string; playout: number };
  video: { framesDecoded: number; freezeCount: number; playout: number };
  /** Audio minus video estimatedPlayoutTimestamp (ms): what plays now, on the sender's clock; null before both are known. */
  offsetMs: number | null;
}

export async function startAvViewer(page: Page, whepUrl: string): Promise<void> {
  await page.evaluate((url) => (globalThis as any).__startAv(url), whepUrl);
}

export async function avStats(page: Page): Promise<AvStats> {
  return page.evaluate(() => (globalThis as any).__avStats());
}
