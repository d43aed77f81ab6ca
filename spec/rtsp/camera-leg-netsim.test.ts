/**
 * The camera leg end to end over loopback: demo camera (camwire's RTSP server, answering NACKs
 * from its retransmission history) -> netsim UDP relay on the RTP path (seeded 5% loss and
 * reordering) -> `probe` over UDP. The client announces the relay's port as its RTP
 * client_port (`udpAnnouncePorts`); RTCP both ways stays on the clean direct path.
 * The stream starts just below 65535, so the wrap is crossed within the first second.
 *
 * Real time and real sockets, so exact counts vary from run to run; the asserts are the
 * qualitative ones (with NACK nothing or next to nothing is lost and packets are recovered;
 * without NACK packets are lost), never timing.
 */
import t from 'tap';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { probe } from '../../lib/ingest/probe.js';
import { startUdpRelay, type UdpRelay } from '../../lib/netsim/udp-relay.js';
import { probeThroughRelay } from '../support/relay-probe.js';
import type { LinkProfile } from '../../lib/netsim/link.js';
import { demoClip } from '../../test/support/demo-clip.js';

const RTP_PATH: LinkProfile = {
  loss: 0.05,
  reorder: { probability: 0.1, depth: 3, maxHoldMs: 15 },
  delay: { delayMs: 2, jitterMs: 1, preserveOrder: true },
};

t.test('demo camera -> 5% loss + reordering -> probe: NACK recovers, --no-nack loses; reordering undone', async (t) => {
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  // video only: the counts below are the video's (the audio leg has no NACK, by design)
  const cam = await startDemoCamera({ port: 0, clip: clip.path!, initialSequenceNumber: 65400, audio: 'none' });
  t.teardown(() => cam.close());

  // RTT on loopback is ~nothing and the camera reports none about us: pace retries at 30 ms.
  const recovery = { nack: { initialRttMs: 30 } };
  const withNack = await probeThroughRelay({ url: cam.url, seconds: 4, recovery }, RTP_PATH, 7);
  const a = withNack.r;
  t.ok(a.ok, a.error?.message ?? 'probe ok');
  t.comment(`with NACK: relay ${withNack.relay.sent} -> ${withNack.relay.delivered}; ${JSON.stringify(a.packets)} ${JSON.stringify(a.recovery)} ${JSON.stringify(a.accessUnits)}`);
  t.ok(withNack.relay.delivered < withNack.relay.sent, 'the relay dropped packets');
  t.ok(a.packets.received > 65535 - 65400, 'crossed the 65535 -> 0 wrap');
  t.equal(a.recovery.reorder, true);
  t.equal(a.recovery.nack, true);
  t.ok(a.recovery.nacksSent > 0, `${a.recovery.nacksSent} NACKs sent`);
  t.ok(a.packets.recovered > 0, `${a.packets.recovered} packets recovered`);
  // A resend crosses the same lossy path: 3+ tries at 5% leave ~1e-4 per packet unrecovered.
  t.ok(a.packets.lost <= 1, `${a.packets.lost} lost`);
  t.ok(a.accessUnits.incomplete <= 2, `${a.accessUnits.incomplete} incomplete access units of ${a.accessUnits.complete + a.accessUnits.incomplete}`);
  const served = cam.server.stats().retransmissionsSent;
  t.ok(served >= a.packets.recovered, `the camera resent ${served} packets`);

  const noNack = await probeThroughRelay({ url: cam.url, seconds: 4, recovery, nack: false }, RTP_PATH, 7);
  const b = noNack.r;
  t.comment(`--no-nack: ${JSON.stringify(b.packets)} ${JSON.stringify(b.accessUnits)}`);
  t.ok(b.ok);
  t.equal(b.recovery.nack, false);
  t.equal(b.recovery.nacksSent, 0);
  t.equal(b.packets.recovered, 0);
  t.ok(b.packets.lost > 0, `${b.packets.lost} lost without NACK`);
  t.ok(b.accessUnits.incomplete > 0, 'lost packets break access units');
  t.equal(cam.server.stats().retransmissionsSent, served, 'nothing resent when nothing was asked');
});

t.test('reordering only: the reorder buffer restores order (every access unit whole); --no-reorder breaks units', async (t) => {
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const cam = await startDemoCamera({ port: 0, clip: clip.path!, initialSequenceNumber: 65500 });
  t.teardown(() => cam.close());
  const reorderOnly = (seed: number, reorder: boolean) => {
    const relays: UdpRelay[] = [];
    return probe({
      url: cam.url, transport: 'udp', seconds: 3, nack: false, reorder,
      // The buffer holds a gap longer than the relay ever holds a packet (10 ms), with margin for
      // timer lateness on a busy machine: the contract under test is order, not timing.
      recovery: { reorder: { minWaitMs: 60 } },
      client: {
        udpAnnouncePorts: async (bound) => {
          const relay = await startUdpRelay({ target: { port: bound.rtpPort }, forward: { reorder: { probability: 0.15, depth: 3, maxHoldMs: 10 } }, seed });
          relays.push(relay);
          return [relay.port, bound.rtcpPort];
        },
      },
    }).finally(() => Promise.all(relays.map((r) => r.close())));
  };
  const on = await reorderOnly(11, true);
  t.comment(`reorder on: ${JSON.stringify(on.packets)} ${JSON.stringify(on.accessUnits)}`);
  t.ok(on.packets.reordered > 0, `${on.packets.reordered} packets arrived out of order`);
  t.equal(on.packets.lost, 0);
  t.equal(on.accessUnits.incomplete, 0, 'every access unit whole');
  const off = await reorderOnly(11, false);
  t.comment(`reorder off: ${JSON.stringify(off.packets)} ${JSON.stringify(off.accessUnits)}`);
  t.equal(off.recovery.reorder, false);
  t.ok(off.accessUnits.incomplete > 0, 'out-of-order packets break access units without the buffer');
});
