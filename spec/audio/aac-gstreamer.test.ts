/**
 * Real peer: GStreamer encodes AAC and sends it as a camera would (RFC 3640 from rtpmp4gpay,
 * as Axis does; MP4A-LATM from rtpmp4apay). camwire depacketizes what arrives on a UDP port,
 * writes ADTS, and FFmpeg must decode every frame without an error, as many frames as the
 * packets carried.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adtsFrame, createAudioDepacketizer, describeAudioFormat, type AudioSpecificConfig, type AudioTrackDescription } from '../../lib/audio/index.js';
import { parseRtp } from '../../lib/rtp/index.js';
import { parseFmtp } from '../../lib/sdp/index.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { capsField, gstToUdp, listenUdp, missingGstElements } from '../../test/support/gst-audio.js';

const BUFFERS = 40;
const SOURCE = `audiotestsrc num-buffers=${BUFFERS} is-live=true wave=sine freq=440 ! audio/x-raw,rate=16000,channels=1 ! audioconvert ! voaacenc ! aacparse`;

interface Received {
  desc: AudioTrackDescription;
  frames: { data: Uint8Array; timestamp: number }[];
  packets: ReturnType<typeof parseRtp>[];
}

/** Streams `payloader` output to a socket, describes it from the printed caps, depacketizes every packet. */
async function receive(payloader: string, codec: string, fmtpKeys: string[]): Promise<Received> {
  const sink = await listenUdp();
  try {
    const gst = await gstToUdp(`${SOURCE} ! ${payloader}`, sink.port);
    if (gst.code !== 0) throw new Error(`gst-launch-1.0 failed: ${gst.stderr.slice(-500)}`);
    const fmtp = fmtpKeys.map((k) => [k, capsField(gst.stdout, k)]).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(';');
    const desc = describeAudioFormat({
      payloadType: 97, codec, clockRate: Number(capsField(gst.stdout, 'clock-rate')), channels: 1, fmtp: parseFmtp(`97 ${fmtp}`)!.parameters,
    });
    const frames: Received['frames'] = [];
    const dep = createAudioDepacketizer(desc, (f) => frames.push({ data: f.data.slice(), timestamp: f.timestamp }));
    const packets = sink.datagrams.map((d) => parseRtp(d));
    for (const p of packets) dep.push(p);
    if (dep.stats.malformed + dep.stats.framesDropped + dep.stats.lostPackets !== 0) throw new Error(`depacketizer stats ${JSON.stringify(dep.stats)}`);
    return { desc, frames, packets };
  } finally {
    await sink.close();
  }
}

/** Writes the frames as ADTS and has FFmpeg decode them: errors and the decoded frame count. */
async function ffmpegDecode(t: Test, asc: AudioSpecificConfig, frames: { data: Uint8Array }[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-aac-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.aac');
  writeFileSync(file, Buffer.concat(frames.map((f) => adtsFrame(asc, f.data))));
  const decode = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  t.equal(decode.code, 0, 'ffmpeg exits 0');
  t.equal(decode.stderr.trim(), '', 'ffmpeg reports no decoding error');
  const probe = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'a:0', '-show_entries', 'stream=nb_read_frames,sample_rate,channels', '-of', 'json', file]);
  const stream = (JSON.parse(probe.stdout) as { streams: { nb_read_frames: string; sample_rate: string; channels: number }[] }).streams[0];
  t.equal(Number(stream.sample_rate), 16000);
  t.equal(stream.channels, 1);
  return Number(stream.nb_read_frames);
}

const why = missingTool('gst-launch-1.0', '--version') || missingTool('ffmpeg') || missingGstElements(['audiotestsrc', 'voaacenc', 'aacparse', 'rtpmp4gpay', 'rtpmp4apay']);
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('RFC 3640 (rtpmp4gpay, AAC-hbr): every frame decodes, as many as the packets carried', async (t) => {
    const { desc, frames, packets } = await receive('rtpmp4gpay pt=97', 'mpeg4-generic', ['streamtype', 'mode', 'config', 'sizelength', 'indexlength', 'indexdeltalength']);
    t.match(desc, { codec: 'aac-hbr', clockRate: 16000, sampleRate: 16000, channels: 1 });
    // each AU-header is 16 bits (13 + 3); AUs end in marker packets
    const carried = packets.filter((p) => p.marker).reduce((n, p) => n + (((p.payload[0] << 8) | p.payload[1]) >> 4), 0);
    t.ok(frames.length >= BUFFERS - 2, `${frames.length} frames from ${BUFFERS} buffers of 1024 samples`);
    t.equal(frames.length, carried, 'one frame per AU the packets carried');
    t.ok(frames.every((f, i) => i === 0 || ((f.timestamp - frames[i - 1].timestamp) >>> 0) === 1024), 'timestamps 1024 apart');
    t.equal(await ffmpegDecode(t, desc.mpeg4Generic!.audioSpecificConfig, frames), frames.length, 'FFmpeg decodes every frame');
  });

  t.test('MP4A-LATM (rtpmp4apay, cpresent=0, its short config): every frame decodes', async (t) => {
    const { desc, frames, packets } = await receive('rtpmp4apay pt=97', 'MP4A-LATM', ['cpresent', 'config']);
    t.match(desc, { codec: 'aac-latm', clockRate: 16000, sampleRate: 16000, channels: 1, latm: { muxConfigPresent: false } });
    t.ok(frames.length >= BUFFERS - 2, `${frames.length} frames`);
    t.equal(frames.length, packets.filter((p) => p.marker).length, 'one frame per element, one element per marker packet');
    t.equal(await ffmpegDecode(t, desc.latm!.streamMuxConfig!.audioSpecificConfig, frames), frames.length, 'FFmpeg decodes every frame');
  });
}
