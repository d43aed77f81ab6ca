/**
 * Real peer: GStreamer's RTSP server sends H.264 plus audio; `camwire probe` (the camera leg the
 * gateway uses) sets up the audio track next to the video over UDP and TCP-interleaved in one
 * session, and reports its codec, clock, channels, packets and loss.
 */
import t from 'tap';
import { probe } from '../../lib/ingest/probe.js';
import { missingGstElements } from '../../test/support/gst-audio.js';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';

const why = missingGstRtspServer();
if (why) {
  t.comment('skip: ' + why);
} else {
  for (const [audio, codec, clockRate, elements] of [['pcmu', 'pcmu', 8000, ['mulawenc']], ['aac', 'aac-hbr', 16000, ['voaacenc', 'aacparse']]] as const) {
    const missing = missingGstElements([...elements]);
    if (missing) {
      t.comment(`skip ${audio}: ${missing}`);
      continue;
    }
    for (const transport of ['udp', 'tcp'] as const) {
      t.test(`${audio} over ${transport}: probe lists the audio track beside the video`, async (t) => {
        const cam = await startGstServer({ audio, protocols: transport });
        try {
          const r = await probe({ url: cam.url(), transport, seconds: 1.5 });
          t.ok(r.ok, `probe ok (${r.error?.code ?? ''})`);
          t.equal(r.transport, transport);
          t.same(r.tracks.map((x) => x.mediaType), ['video', 'audio'], 'video and audio set up in one session');
          t.match(r.audio, { codec, clockRate, channels: 1, lost: 0, framesDropped: 0 });
          t.ok((r.audio?.packets ?? 0) >= 15, `${r.audio?.packets} audio packets in 1.5 s (AAC at 16 kHz: 64 ms a packet)`);
          t.ok((r.audio?.frames ?? 0) >= (r.audio?.packets ?? 1), 'every packet depacketized');
          t.same(r.audioSkipped, []);
          t.ok(r.accessUnits.complete > 20, 'video unaffected');
        } finally {
          await cam.stop();
        }
      });
    }
  }
}
