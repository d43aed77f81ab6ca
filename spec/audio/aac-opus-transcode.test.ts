/**
 * Real peers end to end: GStreamer encodes a tone as AAC and sends it as a camera would (RFC
 * 3640), camwire depacketizes it and transcodes it to Opus through ffmpeg; the Opus packets,
 * written as an Ogg/Opus file, must decode in ffmpeg to the tone, as long as what went in, with
 * timestamps exactly on the camera's timeline scaled to 48 kHz with the encoder's pre-skip removed.
 */
import t from 'tap';
import { createAudioDepacketizer, describeAudioFormat, scaleTimestampTo48k } from '../../lib/audio/index.js';
import { parseRtp, tsAdd } from '../../lib/rtp/index.js';
import { parseFmtp } from '../../lib/sdp/index.js';
import { missingTool } from '../../test/support/env.js';
import { capsField, gstToUdp, listenUdp, missingGstElements } from '../../test/support/gst-audio.js';
import { decodeOpus, toneFrequency, transcodeAll, type AacInput } from '../../test/support/transcode-run.js';

/** ffmpeg's libopus announces 312 samples of pre-skip (libopus lookahead at 48 kHz). */
const PRE_SKIP = 312;

async function gstreamerAac(rate: number, channels: number, freq: number, buffers: number): Promise<AacInput> {
  const sink = await listenUdp();
  try {
    const source = `audiotestsrc num-buffers=${buffers} is-live=true wave=sine freq=${freq} ! audio/x-raw,rate=${rate},channels=${channels} ! audioconvert ! voaacenc ! aacparse ! rtpmp4gpay pt=97`;
    const gst = await gstToUdp(source, sink.port);
    if (gst.code !== 0) throw new Error(`gst-launch-1.0 failed: ${gst.stderr.slice(-500)}`);
    const fmtp = ['streamtype', 'mode', 'config', 'sizelength', 'indexlength', 'indexdeltalength'].map((k) => `${k}=${capsField(gst.stdout, k)}`).join(';');
    const desc = describeAudioFormat({ payloadType: 97, codec: 'mpeg4-generic', clockRate: rate, channels, fmtp: parseFmtp(`97 ${fmtp}`)!.parameters });
    const frames: { data: Uint8Array; timestamp: number }[] = [];
    const dep = createAudioDepacketizer(desc, (f) => frames.push({ data: f.data.slice(), timestamp: f.timestamp }));
    for (const d of sink.datagrams) dep.push(parseRtp(d));
    return { audioSpecificConfig: Buffer.from(capsField(gst.stdout, 'config')!, 'hex'), clockRate: rate, channels, frames };
  } finally {
    await sink.close();
  }
}

const why = missingTool('gst-launch-1.0', '--version') || missingTool('ffmpeg') || missingGstElements(['audiotestsrc', 'voaacenc', 'aacparse', 'rtpmp4gpay']);
if (why) {
  t.comment('skip: ' + why);
} else {
  for (const c of [{ rate: 16_000, channels: 1, freq: 440, buffers: 40 }, { rate: 48_000, channels: 2, freq: 1000, buffers: 100 }]) {
    t.test(`${c.rate / 1000} kHz ${c.channels === 1 ? 'mono' : 'stereo'} AAC from GStreamer -> Opus: the tone, its length, its timeline`, async (t) => {
      const input = await gstreamerAac(c.rate, c.channels, c.freq, c.buffers);
      t.ok(input.frames.length >= c.buffers - 2, `${input.frames.length} access units depacketized`);
      const { packets, timestamps, transcoder } = await transcodeAll(input);
      t.equal(transcoder.stats.accessUnitsDropped, 0);
      t.equal(transcoder.stats.discontinuities, 0, 'a clean stream has no discontinuity');
      t.equal(transcoder.stats.badPackets, 0);

      const first48 = scaleTimestampTo48k(input.frames[0].timestamp, c.rate);
      t.equal(timestamps[0], tsAdd(first48, -PRE_SKIP), 'first packet: the first access unit\'s time at 48 kHz, less the pre-skip');
      t.ok(timestamps.every((ts, i) => ts === tsAdd(timestamps[0], 960 * i)), 'every packet 20 ms (960) after the previous: no drift');

      const inSeconds = (input.frames.length * 1024) / c.rate;
      const { pcm, probedSeconds } = await decodeOpus(packets, c.channels);
      // while its input stays open ffmpeg's output stays behind (the Ogg muxer keeps its last
      // page open, the partial 20 ms frame, the lookahead, the resampler): up to an access unit
      // and two packets, no more (measured 100 ms at 16 kHz, 53 ms at 48 kHz)
      const held = inSeconds - packets.length * 0.02;
      t.ok(held >= -PRE_SKIP / 48_000 && held <= 1024 / c.rate + 0.04 + PRE_SKIP / 48_000, `${packets.length} packets = ${packets.length * 20} ms for ${Math.round(inSeconds * 1000)} ms in`);
      t.ok(Math.abs(probedSeconds - packets.length * 0.02) <= 0.021, `ffprobe: ${probedSeconds} s`);
      const f = toneFrequency(pcm, 48_000, Math.round(pcm.length * 0.2), Math.round(pcm.length * 0.9));
      t.ok(Math.abs(f - c.freq) <= c.freq * 0.02, `decoded tone ${f.toFixed(1)} Hz, sent ${c.freq} Hz`);
    });
  }
}
