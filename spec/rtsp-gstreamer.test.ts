/**
 * Interop: camwire's RTSP client against GStreamer's RTSP server (a camera stand-in, started
 * and stopped here): UDP, TCP, Basic and Digest auth right and wrong, PLI answered by an IDR,
 * and a server killed mid-stream and restarted. Multicast is in rtsp-multicast.test.ts.
 */
import t from 'tap';
import { probe } from '../lib/ingest/probe.js';
import { RtspClient } from '../lib/rtsp/client/client.js';
import { isKeyframeStart } from '../lib/h264/index.js';
import type { RtspStateChange } from '../lib/rtsp/client/types.js';
import { missingGstRtspServer, startGstServer } from './support/gst-server.js';

const why = missingGstRtspServer();
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('UDP and TCP: plays, tracks and SPS facts, packets and keyframes', async (t) => {
    const gst = await startGstServer({ protocols: 'udp,tcp' });
    t.teardown(() => gst.stop());
    for (const transport of ['udp', 'tcp'] as const) {
      const r = await probe({ url: gst.url(), transport, seconds: 2 });
      t.equal(r.ok, true, `${transport}: ok ${JSON.stringify(r.error)}`);
      t.equal(r.transport, transport);
      t.match(r.server, /GStreamer/);
      t.match(r.tracks, [{ codec: 'H264', payloadType: 96, clockRate: 90000, width: 640, height: 360, profile: 'Constrained Baseline' }]);
      t.ok(r.packets.received > 30, `${transport}: ${r.packets.received} packets`);
      t.equal(r.packets.lost, 0, 'loopback loses nothing');
      t.ok(r.accessUnits.complete > 30, `${r.accessUnits.complete} complete access units`);
      t.ok(r.accessUnits.keyframes >= 1, 'keyframes seen');
    }
  });

  t.test('Basic and Digest auth, right and wrong passwords', async (t) => {
    for (const auth of ['basic', 'digest'] as const) {
      const gst = await startGstServer({ protocols: 'tcp', auth, user: 'camuser', password: 'campass' });
      const good = await probe({ url: gst.url('camuser:campass'), transport: 'tcp', seconds: 1 });
      t.equal(good.ok, true, `${auth} right password plays`);
      t.equal(good.auth, auth === 'basic' ? 'Basic' : 'Digest MD5');
      t.ok(good.packets.received > 0);
      const bad = await probe({ url: gst.url('camuser:wrongpass'), transport: 'tcp', seconds: 1 });
      t.equal(bad.ok, false, `${auth} wrong password fails`);
      t.equal(bad.error?.code, 'RTSP_UNAUTHORIZED');
      t.match(bad.error?.message, /credentials rejected/, 'one retry, then a clear reason');
      t.notMatch(JSON.stringify(bad) + JSON.stringify(good), /wrongpass|campass/, 'no password in reports');
      const none = await probe({ url: gst.url(), transport: 'tcp', seconds: 1 });
      t.equal(none.error?.code, 'RTSP_UNAUTHORIZED', 'no credentials: typed 401');
      await gst.stop();
    }
  });

  t.test('PLI upstream is answered with an IDR', async (t) => {
    // key-int far away: after the first IDR, the only one can come from our PLI
    const gst = await startGstServer({ protocols: 'udp,tcp', keyInt: 100000 });
    t.teardown(() => gst.stop());
    for (const transport of ['tcp', 'udp'] as const) {
      const client = new RtspClient({ url: gst.url(), transport, reconnect: { enabled: false } });
      const keyframeAt: number[] = [];
      client.on('rtp', (p) => {
        if (isKeyframeStart(p.payload)) keyframeAt.push(Date.now());
      });
      await client.start();
      const waitFor = async (cond: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        return cond();
      };
      t.ok(await waitFor(() => keyframeAt.length >= 1, 5000), `${transport}: first IDR`);
      await new Promise((r) => setTimeout(r, 300));
      const quiet = keyframeAt.length;
      await new Promise((r) => setTimeout(r, 1200));
      const before = keyframeAt.length;
      t.equal(before, quiet, `${transport}: no IDR in 1.2 s without asking`);
      t.equal(client.stats.tracks[0].received > 0, true);
      const sentAt = Date.now();
      t.ok(client.requestKeyframe(0), 'PLI sent');
      t.ok(await waitFor(() => keyframeAt.length > before, 3000), `${transport}: IDR after PLI`);
      t.comment(`${transport}: IDR ${keyframeAt[before] - sentAt} ms after PLI`);
      await client.stop();
    }
  });

  t.test('server killed mid-stream and restarted: typed events, reconnect, packets flow again', async (t) => {
    let gst = await startGstServer({ protocols: 'tcp' });
    const port = gst.port;
    t.teardown(() => gst.stop());
    const client = new RtspClient({ url: gst.url(), transport: 'tcp', reconnect: { initialDelayMs: 300, maxDelayMs: 1000 } });
    const states: RtspStateChange[] = [];
    const errors: string[] = [];
    const generations: number[] = [];
    let packets = 0;
    client.on('state', (s) => states.push(s));
    client.on('error', (e) => errors.push(e.code));
    client.on('session', (s) => generations.push(s.generation));
    client.on('rtp', () => packets++);
    await client.start();
    const waitFor = async (cond: () => boolean, ms: number, what: string) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      t.ok(cond(), what);
    };
    await waitFor(() => packets > 20, 5000, 'packets before the kill');
    await gst.stop();
    await waitFor(() => states.some((s) => s.state === 'reconnecting'), 5000, 'reconnecting after the kill');
    await waitFor(() => errors.includes('RTSP_CONNECTION_REFUSED'), 5000, 'refused while the server is down');
    const afterKill = packets;
    gst = await startGstServer({ protocols: 'tcp', port });
    await waitFor(() => generations.length === 2, 10_000, 'second session');
    await waitFor(() => packets > afterKill + 20, 5000, 'packets flow again');
    t.equal(errors[0], 'RTSP_CONNECTION_CLOSED', 'the drop is a typed error');
    t.equal(client.state, 'playing');
    const seq = states.map((s) => s.state);
    t.same(seq.slice(0, 3), ['connecting', 'playing', 'reconnecting']);
    t.same(seq.slice(-2), ['connecting', 'playing']);
    t.ok(states.filter((s) => s.state === 'reconnecting').every((s) => s.reason && s.delayMs! > 0), 'every reconnect says why and when');
    await client.stop();
    t.equal(client.state, 'closed');
  });
}
