/**
 * Janus as the lab's server under test: the same camera (through the same RTSP proxy), the
 * same relay on the WebRTC leg and the same Chromium as camwire's runs. Janus offers, so
 * Chromium answers; the relay stands between them exactly as it does for camwire.
 */
import type { CamwireCounters } from '../lab/record.js';
import type { ServerUnderTest } from '../lab/run-one.js';
import { waitFor } from '../lab/run-one.js';
import { JanusProcess, type JanusOptions } from './janus-process.js';
import { JanusViewer } from './janus-viewer.js';

const MOUNTPOINT = 1;

/** Janus tells none of camwire's counters: the lab reads the browser's and the relay's. */
const NO_COUNTERS: CamwireCounters = Object.freeze({
  accessUnits: 0, keyframes: 0, keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, packetsSent: 0, nacksReceived: 0,
  nackedPackets: 0, retransmitted: 0, rtxSent: 0, retransmitUnavailable: 0, plisReceived: 0, firsReceived: 0, rttMs: 0,
});

/** The IPv4 host candidate of an SDP (Janus gathers on the machine's interfaces, never loopback). */
export function hostCandidate(sdp: string): { address: string; port: number } | undefined {
  const m = /a=candidate:\S+ 1 udp \d+ (\d+\.\d+\.\d+\.\d+) (\d+) typ host/i.exec(sdp);
  return m ? { address: m[1]!, port: Number(m[2]) } : undefined;
}

/** True once Janus's mountpoint has had video within the last second (waits up to 10 s). */
export function waitForJanusVideo(viewer: JanusViewer): Promise<boolean> {
  return waitFor(async () => {
    const info = (await viewer.request({ request: 'info', id: MOUNTPOINT })).info as { media?: { age_ms?: number }[] } | undefined;
    return (info?.media ?? []).some((m) => typeof m.age_ms === 'number' && m.age_ms < 1000);
  }, 10000);
}

export async function startJanusUnderTest(cameraUrl: string, options: Omit<JanusOptions, 'mountpoints'> = {}): Promise<ServerUnderTest> {
  const janus = await JanusProcess.start({ ...options, mountpoints: [{ id: MOUNTPOINT, name: 'lab', url: cameraUrl }] });
  const admin = await JanusViewer.attach(janus.httpUrl).catch(async (err: unknown) => {
    await janus.stop();
    throw err;
  });
  const viewers: JanusViewer[] = [admin];
  const info = () => admin.request({ request: 'info', id: MOUNTPOINT });
  return {
    mediaHost: janus.localIp(),
    ready: async () => ((await waitForJanusVideo(admin)) ? undefined : 'janus had no video from the camera after 10 s'),
    play: async (browser, pipe) => {
      const viewer = await JanusViewer.attach(janus.httpUrl);
      viewers.push(viewer);
      const offer = await viewer.watch(MOUNTPOINT);
      const candidate = hostCandidate(offer);
      if (!candidate) throw new Error('janus offer has no IPv4 host candidate');
      pipe.setPeer('b', candidate);
      await viewer.start(await browser.answer(`${janus.httpUrl}/info`, offer, pipe.aPort));
    },
    counters: async () => NO_COUNTERS,
    detail: async () => ({ janus: await info().catch((e: Error) => e.message), log: janus.log().slice(-6000) }),
    close: async () => {
      for (const v of viewers) await v.close();
      await janus.stop();
    },
  };
}
