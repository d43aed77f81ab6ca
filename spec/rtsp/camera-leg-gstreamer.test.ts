/**
 * Does GStreamer's RTSP server resend on NACK? Probe through a 5% loss relay (spec/support/
 * relay-probe.ts) against gst-rtsp-server twice: as shipped (no retransmission time: NACKs
 * are ignored, nothing recovered) and with `RTSPMediaFactory.set_retransmission_time`
 * (rtpsession keeps a history and answers with RFC 4588 RTX, which the camera leg unwraps).
 * Real time: exact counts vary; the asserts are qualitative.
 */
import t from 'tap';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';
import { probeThroughRelay } from '../support/relay-probe.js';

const LOSSY = { loss: 0.05, delay: { delayMs: 1 } };

t.test('gst-rtsp-server ignores NACK by default and answers with RTX when given a retransmission time', async (t) => {
  const why = missingGstRtspServer();
  if (why) { t.comment('skip: ' + why); return; }
  for (const rtxTimeMs of [0, 1000]) {
    const gst = await startGstServer({ rtxTimeMs });
    try {
      const { r, relay } = await probeThroughRelay({ url: gst.url(), seconds: 4, recovery: { nack: { initialRttMs: 30 } } }, LOSSY, 5);
      t.comment(`rtx-time ${rtxTimeMs}: relay ${relay.sent} -> ${relay.delivered}; ${JSON.stringify(r.packets)} ${JSON.stringify(r.recovery)} ${JSON.stringify(r.accessUnits)}`);
      t.ok(r.ok, r.error?.message ?? 'probe ok');
      t.ok(relay.delivered < relay.sent, 'the relay dropped packets');
      t.ok(r.recovery.nacksSent > 0, 'NACKs sent');
      if (rtxTimeMs === 0) {
        t.equal(r.packets.recovered, 0, 'NACK ignored');
        t.ok(r.packets.lost > 0);
      } else {
        t.ok(r.packets.recovered > 0, `${r.packets.recovered} recovered from RTX`);
        t.ok(r.packets.lost <= 1, `${r.packets.lost} lost`);
      }
    } finally {
      await gst.stop();
    }
  }
});
