/**
 * Real peer: GStreamer sends a 440 Hz sine at half scale as G.711 (alawenc ! rtppcmapay,
 * mulawenc ! rtppcmupay), as cameras send PCMA/PCMU. camwire's passthrough and G.711 decoder
 * must give back the level (-9 dBFS) and the pitch.
 */
import t from 'tap';
import { createAudioDepacketizer, decodeG711, describeAudioFormat, type G711Law } from '../../lib/audio/index.js';
import { parseRtp } from '../../lib/rtp/index.js';
import { missingTool } from '../../test/support/env.js';
import { gstToUdp, listenUdp, missingGstElements } from '../../test/support/gst-audio.js';

const SECONDS = 1;
const FREQUENCY = 440;
/** RMS of a sine at amplitude 0.5: 20 log10(0.5 / sqrt 2). */
const EXPECTED_DBFS = 20 * Math.log10(0.5 / Math.SQRT2);

async function sineThrough(encoder: string, payloader: string, codec: string, law: G711Law) {
  const sink = await listenUdp();
  try {
    const gst = await gstToUdp(`audiotestsrc num-buffers=${SECONDS * 50} samplesperbuffer=160 is-live=true wave=sine freq=${FREQUENCY} volume=0.5 ! audio/x-raw,rate=8000,channels=1 ! ${encoder} ! ${payloader}`, sink.port);
    if (gst.code !== 0) throw new Error(`gst-launch-1.0 failed: ${gst.stderr.slice(-500)}`);
    const desc = describeAudioFormat({ payloadType: codec === 'PCMA' ? 8 : 0, codec, clockRate: 8000, channels: 1, fmtp: new Map() });
    const chunks: Int16Array[] = [];
    const timestamps: number[] = [];
    const dep = createAudioDepacketizer(desc, (f) => {
      chunks.push(decodeG711(law, f.data));
      timestamps.push(f.timestamp);
    });
    const packets = sink.datagrams.map((d) => parseRtp(d));
    for (const p of packets) dep.push(p);
    const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      pcm.set(c, o);
      o += c.length;
    }
    return { packets, pcm, timestamps, chunks, stats: dep.stats };
  } finally {
    await sink.close();
  }
}

function rmsDbfs(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return 20 * Math.log10(Math.sqrt(sum / pcm.length) / 32768);
}

function zeroCrossingHz(pcm: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1] < 0) !== (pcm[i] < 0)) crossings++;
  return crossings / 2 / (pcm.length / rate);
}

const why = missingTool('gst-launch-1.0', '--version') || missingGstElements(['audiotestsrc', 'alawenc', 'rtppcmapay', 'mulawenc', 'rtppcmupay']);
if (why) {
  t.comment('skip: ' + why);
} else {
  for (const [encoder, payloader, codec, law, pt] of [['alawenc', 'rtppcmapay', 'PCMA', 'alaw', 8], ['mulawenc', 'rtppcmupay', 'PCMU', 'ulaw', 0]] as const) {
    t.test(`${codec}: level and pitch survive the passthrough and the G.711 decoder`, async (t) => {
      const { packets, pcm, timestamps, chunks, stats } = await sineThrough(encoder, payloader, codec, law);
      t.ok(packets.length > 0 && packets.every((p) => p.payloadType === pt), `${packets.length} packets of payload type ${pt}`);
      t.equal(stats.frames, packets.length, 'one frame per packet');
      t.equal(stats.lostPackets + stats.malformed, 0);
      t.ok(timestamps.every((ts, i) => i === 0 || ((ts - timestamps[i - 1]) >>> 0) === chunks[i - 1].length), 'timestamps advance one tick per sample');
      t.ok(pcm.length >= 8000 * SECONDS * 0.9, `${pcm.length} samples`);
      const level = rmsDbfs(pcm);
      t.ok(Math.abs(level - EXPECTED_DBFS) < 0.5, `level ${level.toFixed(2)} dBFS, sent ${EXPECTED_DBFS.toFixed(2)}`);
      const hz = zeroCrossingHz(pcm, 8000);
      t.ok(Math.abs(hz - FREQUENCY) < 5, `pitch ${hz.toFixed(1)} Hz`);
    });
  }
}
