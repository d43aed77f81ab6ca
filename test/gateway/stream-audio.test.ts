import t from 'tap';
import { parseRtp } from '../../lib/rtp/index.js';
import { ntpToMs, parseRtcp } from '../../lib/rtcp/index.js';
import { parseRed, describeAudioFormat, type AudioFrame, type AudioTrackDescription, type AudioTranscoder, type AudioTranscoderFactory, type TranscodedOpusSink } from '../../lib/audio/index.js';
import { Stream } from '../../lib/gateway/stream.js';
import { negotiateAudio } from '../../lib/gateway/negotiate-audio.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { FakeTransport, VirtualClock, type FakePeer } from '../support/fake-transport.js';
import { CHROMIUM_AV_OFFER, CHROMIUM_OFFER } from '../support/offers.js';
import { createLogger } from '../../lib/log/logger.js';

const PCMU = describeAudioFormat({ payloadType: 0, codec: 'PCMU', clockRate: 8000, channels: 1, fmtp: new Map() });
const OPUS = describeAudioFormat({ payloadType: 111, codec: 'opus', clockRate: 48000, channels: 2, fmtp: new Map() });
const AAC = describeAudioFormat({
  payloadType: 97, codec: 'mpeg4-generic', clockRate: 16000, channels: 1,
  fmtp: new Map([['streamtype', '5'], ['mode', 'AAC-hbr'], ['config', '1408'], ['sizelength', '13'], ['indexlength', '3'], ['indexdeltalength', '3']]),
});

class AudioSource implements VideoSource {
  sink: SourceSink | undefined;
  constructor(public audio: AudioTrackDescription | undefined) {}
  start(sink: SourceSink): void {
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.sink = undefined;
  }
  requestKeyframe(): void {}
  info(): SourceInfo {
    return this.audio ? { profileLevelId: '42e01f', audio: this.audio } : { profileLevelId: '42e01f' };
  }
  stats() {
    return {};
  }
  frame(data: Uint8Array, timestamp: number, discontinuity = false): void {
    const f: AudioFrame = { data, timestamp, sequenceNumber: 0, discontinuity };
    this.sink?.onAudioFrame?.(f);
  }
}

function setup(audio: AudioTrackDescription | undefined, transcoder?: AudioTranscoderFactory) {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const source = new AudioSource(audio);
  const logs: string[] = [];
  const deps = createDeps({}, { clock, audioTranscoder: transcoder, log: createLogger(clock, (l) => logs.push(l)) });
  const stream = new Stream('cam', source, transport, deps, { onDemand: false });
  return { clock, transport, source, stream, logs };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('negotiateAudio: the offered payload type of the stream codec, RED only around Opus, nothing without a match', (t) => {
  t.match(negotiateAudio(CHROMIUM_AV_OFFER, 'pcmu'), { mid: '1', payloadType: 0, rtpmap: 'PCMU/8000', nack: false, clockRate: 8000 });
  t.equal(negotiateAudio(CHROMIUM_AV_OFFER, 'pcmu')?.redPayloadType, undefined);
  t.match(negotiateAudio(CHROMIUM_AV_OFFER, 'g722'), { payloadType: 9, rtpmap: 'G722/8000' });
  t.match(negotiateAudio(CHROMIUM_AV_OFFER, 'opus'), { payloadType: 111, rtpmap: 'opus/48000/2', redPayloadType: 63, fmtp: 'minptime=10;useinbandfec=1' });
  t.equal(negotiateAudio(CHROMIUM_AV_OFFER, 'opus', false)?.redPayloadType, undefined, 'RED only when wanted');
  t.equal(negotiateAudio(CHROMIUM_OFFER, 'opus'), undefined, 'no audio m-line');
  const opusOnly = CHROMIUM_AV_OFFER.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'm=audio 9 UDP/TLS/RTP/SAVPF 111');
  t.equal(negotiateAudio(opusOnly, 'pcma'), undefined, 'no codec in common');
  t.equal(negotiateAudio(CHROMIUM_AV_OFFER.replace('m=audio 9 ', 'm=audio 0 '), 'pcmu'), undefined, 'a rejected audio m-line');
  const withNack = CHROMIUM_AV_OFFER.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=rtcp-fb:0 nack');
  t.equal(negotiateAudio(withNack, 'pcmu')?.nack, true, 'audio NACK when offered');
  t.end();
});

t.test('PCMU passes through: the viewer gets its own SSRC, sequence and timestamps on the audio m-line; a video-only offer gets no audio', async (t) => {
  const { transport, source, stream } = setup(PCMU);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const [av, videoOnly] = transport.peers as FakePeer[];
  t.match(av.media.audio, { mid: '1', payloadType: 0, rtpmap: 'PCMU/8000' });
  t.equal(videoOnly.media.audio, undefined);
  const payload = new Uint8Array(160).fill(0x55);
  for (let i = 0; i < 5; i++) source.frame(payload, (0xffffff00 + i * 160) >>> 0);
  t.equal(av.audioRtp.length, 5, 'one packet per frame');
  t.equal(videoOnly.audioRtp.length, 0);
  const pkts = av.audioRtp.map((p) => parseRtp(p));
  t.ok(pkts.every((p) => p.ssrc === av.media.audio!.ssrc && p.payloadType === 0 && p.payload.length === 160), 'SSRC, PT and payload');
  t.ok(pkts.every((p, i) => i === 0 || (p.sequenceNumber - pkts[i - 1].sequenceNumber + 0x10000) % 0x10000 === 1), 'consecutive sequence numbers');
  t.ok(pkts.every((p, i) => i === 0 || ((p.timestamp - pkts[i - 1].timestamp) >>> 0) === 160), 'timestamps advance 160 across the wrap');
  t.equal(stream.stats().audio.state, 'passthrough');
  t.equal(stream.viewerInfo()[0].audio?.packetsSent, 5);
  t.end();
});

t.test('Opus with RED: each packet carries the previous one, the blocks naming the viewer Opus payload type', async (t) => {
  const { transport, source, stream } = setup(OPUS);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  const peer = transport.peers[0] as FakePeer;
  source.frame(new Uint8Array([1, 2, 3]), 1000);
  source.frame(new Uint8Array([4, 5]), 1960);
  const [first, second] = peer.audioRtp.map((p) => parseRtp(p));
  t.equal(first.payloadType, 63, 'sent as RED');
  t.same(parseRed(first.payload).map((b) => [b.payloadType, [...b.data]]), [[111, [1, 2, 3]]]);
  t.same(parseRed(second.payload).map((b) => [b.payloadType, b.timestampOffset, [...b.data]]), [[111, 960, [1, 2, 3]], [111, 0, [4, 5]]]);
  t.equal(stream.viewerInfo()[0].audio?.red, true);
  t.end();
});

t.test('AAC without a transcoder: skipped with one log line, the video unaffected', async (t) => {
  const { transport, source, stream, logs } = setup(AAC);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  t.equal((transport.peers[0] as FakePeer).media.audio, undefined, 'no audio m-line answered');
  source.frame(new Uint8Array(10), 0);
  t.equal(stream.stats().audio.state, 'skipped');
  t.equal(stream.stats().audio.framesDropped, 1);
  const audioLines = logs.filter((l) => / stream\.audio /.test(l));
  t.equal(audioLines.length, 1);
  t.match(audioLines[0], /stream cam: audio skipped.*no AAC->Opus transcoder/);
  t.end();
});

t.test('AAC through the transcoder: one per stream, from the first audio viewer to the last; its failure drops the audio only', async (t) => {
  const made: { input: unknown; sink: TranscodedOpusSink; pushed: number; closed: boolean }[] = [];
  const factory: AudioTranscoderFactory = (input, sink) => {
    const rec = { input, sink, pushed: 0, closed: false };
    made.push(rec);
    const tr: AudioTranscoder = { state: 'running', failure: undefined, push: () => void rec.pushed++, close: () => void (rec.closed = true) };
    return tr;
  };
  const { transport, source, stream } = setup(AAC, factory);
  t.equal(stream.stats().audio.state, 'waiting', 'no transcoder before an audio viewer');
  source.frame(new Uint8Array(10), 0);
  const a = await stream.addViewer(CHROMIUM_AV_OFFER);
  const b = await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  t.equal(made.length, 1, 'one transcoder for two viewers');
  t.match(made[0].input, { clockRate: 16000, channels: 1, audioSpecificConfig: new Uint8Array([0x14, 0x08]) });
  t.match((transport.peers[0] as FakePeer).media.audio, { payloadType: 111, redPayloadType: 63 });
  source.frame(new Uint8Array(10), 1024);
  t.equal(made[0].pushed, 1);
  made[0].sink.opus(new Uint8Array([9, 9]), 3072);
  t.equal((transport.peers[0] as FakePeer).audioRtp.length, 1, 'Opus out goes to the viewers');
  stream.removeViewer(a.id);
  t.equal(made[0].closed, false);
  stream.removeViewer(b.id);
  t.equal(made[0].closed, true, 'closed after the last audio viewer');
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  t.equal(made.length, 2, 'a new one for the next');
  made[1].sink.failed(Object.assign(new Error('decoder died'), { code: 'TRANSCODER_DIED' }));
  t.equal(stream.stats().audio.state, 'failed');
  t.match(stream.stats().audio.reason, /TRANSCODER_DIED: decoder died/);
  t.equal(made[1].closed, true);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  t.equal((transport.peers[3] as FakePeer).media.audio, undefined, 'later viewers get video only');
  t.equal(made.length, 2);
  t.end();
});

t.test('absurd audio parameters are refused with a state, not passed to browsers', async (t) => {
  const stereoPcmu = { ...PCMU, channels: 6 };
  const { stream, transport } = setup(stereoPcmu);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  t.equal(stream.stats().audio.state, 'unusable');
  t.match(stream.stats().audio.reason, /AUDIO_UNUSABLE/);
  t.equal((transport.peers[0] as FakePeer).media.audio, undefined);
  const noConfig = { ...AAC, mpeg4Generic: undefined, latm: { muxConfigPresent: true } };
  const s2 = setup(noConfig, () => t.fail('no transcoder for AAC without config') as never);
  t.equal(s2.stream.stats().audio.state, 'unusable');
  t.end();
});

t.test('lip sync: with the camera sender reports of both tracks, the viewer SRs put frames the camera captured together at the same NTP time', async (t) => {
  const { clock, transport, source, stream } = setup(PCMU);
  await stream.addViewer(CHROMIUM_AV_OFFER);
  await tick();
  const peer = transport.peers[0] as FakePeer;
  const keyframe = [new Uint8Array([0x67, 0x42, 0xe0, 0x1f]), new Uint8Array([0x68, 0xce]), new Uint8Array(500).fill(0x65, 0, 1)];
  // The camera: video ts 900000 and audio ts 5000 were captured at the same instant; video
  // reaches the gateway 40 ms after audio (encoder), so arrival times alone would skew them.
  const cameraNtp = 1_700_000_123_000;
  source.frame(new Uint8Array(160), 5000);
  clock.advance(40);
  source.sink!.onAccessUnit({ nalus: keyframe, keyframe: true, timestamp: 900000 });
  source.sink!.onSenderReport!('video', cameraNtp, 900000);
  source.sink!.onSenderReport!('audio', cameraNtp, 5000);
  clock.advance(300);
  stream.tick();
  const v = parseRtp(peer.rtp[0]);
  const a = parseRtp(peer.audioRtp[0]);
  const srs = peer.rtcp.flatMap((p) => parseRtcp(p)).filter((p) => p.type === 'sr');
  const ntpOf = (ssrc: number, rtp: number, rate: number): number => {
    const sr = srs.find((p) => p.type === 'sr' && p.ssrc === ssrc);
    if (!sr || sr.type !== 'sr') throw new Error(`no SR for ${ssrc}`);
    const d = (rtp - sr.rtpTimestamp) | 0;
    return ntpToMs(sr.ntpSeconds, sr.ntpFraction) + (d * 1000) / rate;
  };
  const videoAt = ntpOf(v.ssrc, v.timestamp, 90000);
  const audioAt = ntpOf(a.ssrc, a.timestamp, 8000);
  t.ok(Math.abs(videoAt - audioAt) <= 1, `captured together, mapped together (video ${videoAt.toFixed(1)}, audio ${audioAt.toFixed(1)})`);
  t.end();
});
