/**
 * Fuzz targets: every parser that reads bytes or text from the network, each with its seeds
 * (the shared real-camera corpus and the project's own regression vectors) and the check that
 * matters: it returns, or throws one of camwire's typed errors (CamwireError with a `code`),
 * and what it returns stays within its bounds. Anything else is a finding.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamwireError } from '../../lib/errors.js';
import { parseRtp, serializeRtp } from '../../lib/rtp/index.js';
import { parseRtcp, serializeRtcp } from '../../lib/rtcp/index.js';
import { describeTracks, parseSdp } from '../../lib/sdp/index.js';
import { RtspMessageParser } from '../../lib/rtsp/protocol/index.js';
import { parseAuthorization, parsePublic, parseRtpInfo, parseSession, parseTransports, parseWwwAuthenticate } from '../../lib/rtsp/protocol/headers/index.js';
import { RtspAuthenticator, verifyAuthorization } from '../../lib/rtsp/protocol/auth.js';
import { H264Depacketizer, H264Packetizer, parseSps } from '../../lib/h264/index.js';
import { H265Depacketizer, H265Packetizer, isH265KeyframeStart, parseH265NalHeader, parseH265Sps } from '../../lib/h265/index.js';
import { parseH265Fmtp } from '../../lib/sdp/index.js';
import { CutThrough } from '../../lib/gateway/cut-through.js';
import { negotiateOffer } from '../../lib/gateway/negotiate.js';
import { AccessControl } from '../../lib/http/access.js';
import { WebSocketFrameDecoder } from '../../lib/http/websocket-frame.js';
import { corpusDir, inCI } from '../support/env.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import {
  describeAudioFormat, LatmDepacketizer, parseAudioSpecificConfig, parseRed, parseStreamMuxConfig, RedEncoder, Rfc3640Depacketizer,
  serializeAudioSpecificConfig, serializeStreamMuxConfig, AAC_HBR_LAYOUT, type AudioFrame,
} from '../../lib/audio/index.js';
import { packetizeLatm, packetizeRfc3640 } from '../support/audio-packetizers.js';
import { parseFmtp } from '../../lib/sdp/index.js';

import { BFrameDetector, ParameterSets, isVcl } from '../../lib/h264/index.js';
import { tlsFailure } from '../../lib/rtsp/client/tls.js';

export interface FuzzTarget {
  name: string;
  /** Valid or real inputs the mutators start from. */
  seeds(): Uint8Array[];
  /** Throws only CamwireError for bad input; any other throw (or a broken bound) is a finding. */
  run(input: Uint8Array): void;
}

/** A broken invariant (not an input error): always a finding. */
export class FuzzFinding extends Error {}

export const isTypedError = (e: unknown): boolean => e instanceof CamwireError && typeof e.code === 'string' && e.code.length > 0;

const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Corpus files (all of them, or those matching `re`); none when the corpus is absent outside CI. */
export function corpusSeeds(re: RegExp = /./): Uint8Array[] {
  let names: string[];
  try {
    names = readdirSync(join(corpusDir, 'cameras'));
  } catch (err) {
    if (inCI) throw err;
    return [];
  }
  const out = names.filter((n) => re.test(n)).map((n) => new Uint8Array(readFileSync(join(corpusDir, 'cameras', n))));
  if (re.test('sdps.json')) {
    try {
      const sdps = JSON.parse(readFileSync(join(corpusDir, 'sdps.json'), 'utf8')) as unknown;
      const list = Array.isArray(sdps) ? sdps : Object.values(sdps as object);
      for (const x of list) {
        const sdp = typeof x === 'string' ? x : (x as { sdp?: unknown }).sdp;
        if (typeof sdp === 'string') out.push(bytes(sdp));
      }
    } catch (err) {
      if (inCI) throw err;
    }
  }
  return out;
}

/** The interleaved capture's RTP and RTCP packets (real Wowza traffic). */
function capturePackets(rtcp: boolean): Uint8Array[] {
  let buf: Buffer;
  try {
    buf = readFileSync(join(corpusDir, 'bunny.rtsp'));
  } catch (err) {
    if (inCI) throw err;
    return [];
  }
  const out: Uint8Array[] = [];
  for (let i = buf.indexOf(0x24); i >= 0 && i + 4 <= buf.length && out.length < 200; i = buf.indexOf(0x24, i + 1)) {
    const len = buf.readUInt16BE(i + 2);
    const ch = buf[i + 1];
    if (len < 8 || i + 4 + len > buf.length || ch > 3 || (ch & 1) !== (rtcp ? 1 : 0) || buf[i + 4] >> 6 !== 2) continue;
    out.push(new Uint8Array(buf.subarray(i + 4, i + 4 + len)));
    i += 3 + len;
  }
  return out;
}

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// Regression vectors written by hand after real cameras (see test/ for the named tests).
const RTP_VECTORS = [
  hex('80e0 0001 00000000 12345678 7c85 88 84'), // FU-A start+end in one (Tapo C200)
  hex('b0 60 0001 00000000 12345678 bede0001 10ff0000 65 00 03'), // padding + one-byte extension
  hex('80 60 ffff ffffffff 00000001 18 0004 6742e01f 0002 68ce'), // STAP-A at the wrap
];
const RTCP_VECTORS = [
  hex('80c90001 0000abcd 80cf0004 0000abcd 04000002 e9d3c2b1 40000000'), // RR + XR RRTR (Chromium)
  hex('81ca0003 11223344 010a6361 6d776972 65000000'), // SDES CNAME
  hex('81ca0002 11223344 01036162 63'), // SDES without the null item (Hanwha QNV-8080R)
  hex('81cd0003 00000001 11223344 00640003'), // NACK
];

// Hand-written after real cameras, so the RTSP target has seeds on a clone without the corpus.
const RTSP_VECTORS = [
  'RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: rtsp://10.0.0.5/axis-media/media.amp/\r\nContent-Type: application/sdp\r\n'
    + 'Content-Length: 60\r\n\r\nv=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\n',
  'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="IP Camera(23435)", nonce="8e6f0c1f"\r\n\r\n',
  'RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 12345678;timeout=60\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D\r\n\r\n',
  'GET_PARAMETER rtsp://cam/ RTSP/1.0\r\nCSeq: 9\r\nSession: 12345678\r\n\r\n$\x00\x00\x0c\x80\x60\x00\x01\x00\x00\x00\x00\x12\x34\x56\x78',
].map((m) => new Uint8Array(Buffer.from(m, 'latin1')));

/** The camera password the digest target answers with; long enough that random input rarely holds it. */
export const DIGEST_PASSWORD = 'pw-7Kq2';

/**
 * Reads fuzz input as a run of RTP payloads, each prefixed by a one-byte length (0 = the rest);
 * the length's low bits make the marker and skip a sequence number, four packets share a
 * timestamp, and the sequence crosses the wrap at once.
 */
function forEachPayload(input: Uint8Array, each: (payload: Uint8Array, seq: number, timestamp: number, marker: boolean) => void): void {
  let seq = 65530;
  for (let o = 0; o < input.length;) {
    const n = input[o] === 0 ? input.length - o - 1 : input[o];
    const payload = input.subarray(o + 1, Math.min(input.length, o + 1 + n));
    o += 1 + n;
    each(payload, seq, ((seq >> 2) * 3000) >>> 0, (n & 1) === 1);
    seq = (seq + 1 + (n & 2 ? 1 : 0)) & 0xffff;
  }
}

/** H.265 RTP payloads as x265 and rtph265pay make them: an AP of VPS/SPS/PPS, an IDR in FUs, a trailing slice; and an fmtp. */
const H265_SEEDS: Uint8Array[] = (() => {
  const vps = hex('40010c01ffff01600000030090000003000003003c959809');
  const sps = hex('42010101600000030090000003000003003ca00a080b9f796566924caf016808000003000800000300c840');
  const pps = hex('4401c172b46240');
  const idr = new Uint8Array(600).map((_, i) => (i < 2 ? [0x26, 0x01][i] : (i * 7) % 251 + 1));
  const pz = new H265Packetizer({ mtu: 200 });
  const run = (pkts: Uint8Array[]) => {
    const parts = pkts.map((p) => p.subarray(12)).map((p) => Uint8Array.of(p.length, ...p));
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  };
  const fmtp = `profile-id=1;sprop-vps=${Buffer.from(vps).toString('base64')};sprop-sps=${Buffer.from(sps).toString('base64')};sprop-pps=${Buffer.from(pps).toString('base64')}`;
  return [run(pz.packetize([vps, sps, pps, idr], 0)), run(pz.packetize([Uint8Array.of(0x02, 0x01, 0xd0, 9)], 3000)), sps, bytes(fmtp)];
})();

export const TARGETS: FuzzTarget[] = [
  {
    name: 'rtp',
    seeds: () => [...RTP_VECTORS, ...capturePackets(false)],
    run(input) {
      const p = parseRtp(input);
      if (p.payload.length > input.length) throw new FuzzFinding('payload view longer than the packet');
      const again = parseRtp(serializeRtp(p));
      if (again.sequenceNumber !== p.sequenceNumber || again.payload.length !== p.payload.length) throw new FuzzFinding('RTP round trip changed the packet');
    },
  },
  {
    name: 'rtcp',
    seeds: () => [...RTCP_VECTORS, ...capturePackets(true)],
    run(input) {
      const packets = parseRtcp(input);
      const again = parseRtcp(serializeRtcp(packets));
      if (again.length !== packets.length) throw new FuzzFinding('RTCP round trip changed the packet count');
    },
  },
  {
    name: 'sdp',
    seeds: () => [...corpusSeeds(/sdp|describe/), bytes(CHROMIUM_OFFER)],
    run(input) {
      const desc = parseSdp(text(input));
      describeTracks(desc);
    },
  },
  {
    name: 'whep-offer',
    seeds: () => [bytes(CHROMIUM_OFFER)],
    run(input) {
      negotiateOffer(text(input), { profileLevelId: '42e01f' }, true);
      negotiateOffer(text(input), {}, false);
    },
  },
  {
    name: 'rtsp-message',
    seeds: () => [...RTSP_VECTORS, ...corpusSeeds(/\.txt$/)],
    run(input) {
      let messages = 0;
      const parser = new RtspMessageParser({ onMessage: () => void messages++, onFrame: () => undefined }, { maxHeaderBytes: 8192, maxBodyBytes: 65536 });
      // the same bytes in three chunkings: whole, split at a data-dependent point, one byte at a time (short inputs)
      const cut = input.length > 0 ? input[0] % input.length : 0;
      const chunkings = [[input], [input.subarray(0, cut), input.subarray(cut)]];
      if (input.length <= 256) chunkings.push(Array.from(input, (_, i) => input.subarray(i, i + 1)));
      for (const chunks of chunkings) {
        parser.reset();
        try {
          for (const c of chunks) parser.push(c);
        } catch (e) {
          if (!isTypedError(e)) throw e;
        }
      }
      if (messages > input.length) throw new FuzzFinding('more messages than bytes');
    },
  },
  {
    name: 'rtsp-headers',
    seeds: () => ['RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D', 'RTP/AVP/TCP;interleaved=0-1',
      '12345678;timeout=60', 'url=rtsp://cam/trackID=1;seq=100;rtptime=123456,url=trackID=2;seq=7',
      'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER', 'Digest realm="cam", nonce="abc", qop="auth", algorithm=SHA-256, Basic realm="cam"'].map(bytes),
    run(input) {
      const s = text(input);
      for (const f of [parseTransports, parseSession, parseRtpInfo, parsePublic, parseWwwAuthenticate, parseAuthorization] as ((v: string) => unknown)[]) {
        try {
          f(s);
        } catch (e) {
          if (!isTypedError(e)) throw e;
        }
      }
    },
  },
  {
    name: 'digest',
    seeds: () => ['Digest realm="IP Camera(23435)", nonce="8e6f0c1f7a1b2c3d", stale="FALSE"', 'Digest realm="x", nonce="y", qop="auth,auth-int", opaque="z", algorithm=MD5',
      'Digest realm="x", nonce="y", algorithm=SHA-256, stale=true', 'Basic realm="AXIS_ACCC8E000000"'].map(bytes),
    run(input) {
      const s = text(input);
      const challenges = parseWwwAuthenticate(s);
      const auth = new RtspAuthenticator({ username: 'admin', password: DIGEST_PASSWORD });
      auth.onChallenge(challenges, false);
      const header = auth.authorization('DESCRIBE', 'rtsp://cam/stream');
      // A Digest answer echoes realm, nonce and opaque: the password may appear only if the challenge carried it.
      if (header !== undefined && !/^Basic /.test(header) && header.includes(DIGEST_PASSWORD) && !s.includes(DIGEST_PASSWORD)) {
        throw new FuzzFinding('a Digest answer carries the password in clear');
      }
      verifyAuthorization(s, 'DESCRIBE', { username: 'admin', password: DIGEST_PASSWORD }, { realm: 'camwire', nonce: 'n' });
    },
  },
  {
    name: 'h264',
    seeds: () => [...RTP_VECTORS, ...capturePackets(false)].map((p) => p.subarray(12)),
    run(input) {
      // the input is a run of RTP payloads, each prefixed by a one-byte length (0 = rest)
      const MAX_AU = 64 * 1024;
      let units = 0;
      const bFrames = new BFrameDetector();
      const sets = new ParameterSets();
      const dep = new H264Depacketizer((au) => {
        units++;
        bFrames.classify(au.nalus);
        for (const n of au.nalus) {
          sets.learn(n);
          if (isVcl(n[0] & 0x1f)) sets.forSlice(n, 1);
        }
        if (sets.ids.sps > 32 || sets.ids.pps > 256) throw new FuzzFinding(`parameter sets over H.264's id ranges: ${JSON.stringify(sets.ids)}`);
        let size = 0;
        for (const n of au.nalus) size += n.length;
        if (size > MAX_AU) throw new FuzzFinding(`access unit of ${size} bytes over the ${MAX_AU}-byte bound`);
      }, { maxAccessUnitSize: MAX_AU });
      forEachPayload(input, (payload, sequenceNumber, timestamp, marker) => dep.push({
        version: 2, padding: false, extension: false, marker, payloadType: 96, sequenceNumber,
        timestamp, ssrc: 1, csrc: [], headerExtension: undefined, payload, paddingLength: 0,
      }));
      if (units > input.length) throw new FuzzFinding('more access units than bytes');
      try {
        parseSps(input);
      } catch (e) {
        if (!isTypedError(e)) throw e;
      }
    },
  },
  {
    name: 'rtsps-errors',
    seeds: () => ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ECONNRESET', 'CERT_HAS_EXPIRED'].map((c) => new TextEncoder().encode(c)),
    run(input) {
      // whatever code a TLS socket error carries: no error, or RTSP_TLS without a stack in its message
      const code = new TextDecoder().decode(input);
      for (const handshaking of [true, false]) {
        const e = tlsFailure(Object.assign(new Error('x'), { code }), handshaking);
        if (e && (e.code !== 'RTSP_TLS' || /\n\s+at /.test(e.message))) throw new FuzzFinding(`bad TLS error: ${e.code} ${e.message}`);
      }
    },
  },
  {
    name: 'h265',
    seeds: () => H265_SEEDS,
    run(input) {
      // runs of RTP payloads as for h264, once without and once with DONL fields
      const MAX_AU = 64 * 1024;
      for (const donl of [false, true]) {
        const dep = new H265Depacketizer((au) => {
          if (au.size > MAX_AU) throw new FuzzFinding(`access unit of ${au.size} bytes over the ${MAX_AU}-byte bound`);
        }, { maxAccessUnitSize: MAX_AU, donl });
        forEachPayload(input, (payload, seq, timestamp, marker) => {
          dep.pushPayload(payload, seq, timestamp, marker);
          isH265KeyframeStart(payload, donl);
        });
        dep.flush();
      }
      for (const parse of [parseH265NalHeader, parseH265Sps]) {
        try { parse(input); } catch (e) { if (!isTypedError(e)) throw e; }
      }
      const f = parseH265Fmtp(text(input));
      if (f.parameterSets.length > input.length) throw new FuzzFinding('more parameter sets than bytes');
    },
  },
  {
    name: 'h264-cut-through',
    seeds: () => [...RTP_VECTORS, ...capturePackets(false)].map((p) => p.subarray(12)),
    run(input) {
      // packet forwarding: the same runs of payloads through CutThrough and the refragmenter
      const MTU = 1200;
      const pz = new H264Packetizer({ mtu: MTU });
      // (Sequence numbers are not CutThrough's: the track's egress timeline numbers what it sends.)
      const cut = new CutThrough(pz, {
        unitBegins: () => 0,
        egress(pkt) {
          if (pkt.length > MTU) throw new FuzzFinding(`egress packet of ${pkt.length} bytes over the MTU`);
        },
        lost() {},
      }, new Uint8Array(1500));
      forEachPayload(input, (payload, sequenceNumber, timestamp, marker) => cut.take({ payload, sequenceNumber, timestamp, marker }));
    },
  },
  {
    name: 'http-guards',
    seeds: () => ['Bearer lecture-hall-token', 'Basic dGVhY2hlcjpibGFja2JvYXJkNDI=', 'bearer  lecture-hall-token ', 'Digest x'].map(bytes),
    run(input) {
      const s = text(input).replace(/[\r\n]/g, ' ');
      const guard = new AccessControl({ token: 'lecture-hall-token', basicAuth: { user: 'teacher', password: 'blackboard42' } });
      const req = { headers: { authorization: s, origin: s } } as unknown as Parameters<AccessControl['allows']>[0];
      const url = new URL('http://camwire.invalid/?token=' + encodeURIComponent(s));
      const ok = guard.allows(req, url);
      const right = ['Bearer lecture-hall-token', 'Basic dGVhY2hlcjpibGFja2JvYXJkNDI='];
      if (ok && !right.some((r) => s.trim().toLowerCase().startsWith(r.split(' ')[0].toLowerCase())) && s !== 'lecture-hall-token') {
        throw new FuzzFinding(`let in with ${JSON.stringify(s)}`);
      }
    },
  },
  {
    name: 'audio-config',
    // camera configs (Axis, Dahua, Wowza, 119056E500), HE-AAC, GStreamer's and RFC 6416's LATM configs
    seeds: () => ['1408', '1188', '1490', '119056e500', '2b118800', 'f8e08800', '40002810', '400026203fc0'].map((h) => hex(h)),
    run(input) {
      // the same bytes as an AudioSpecificConfig and as a StreamMuxConfig; what parses must write back to itself
      const stable = <C>(parse: (b: Uint8Array) => C, serialize: (c: C) => Uint8Array) => {
        let config: C;
        try {
          config = parse(input);
        } catch (e) {
          if (!isTypedError(e)) throw e;
          return;
        }
        const again = JSON.stringify(parse(serialize(config)));
        if (again !== JSON.stringify(config)) throw new FuzzFinding(`config not stable through serialize: ${again}`);
      };
      stable(parseAudioSpecificConfig, serializeAudioSpecificConfig);
      stable(parseStreamMuxConfig, serializeStreamMuxConfig);
    },
  },
  {
    name: 'audio-fmtp',
    seeds: () => ['streamtype=5;profile-level-id=15;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408; profile=1;',
      'streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1188; SizeLength=13; IndexLength=3; IndexDeltaLength=3;',
      'config=1408', 'cpresent=0;config=40002810', 'minptime=10;useinbandfec=1', 'mode=generic;config=1408;ctsdeltalength=8;auxiliarydatasizelength=4'].map(bytes),
    run(input) {
      const fmtp = parseFmtp(`96 ${text(input)}`)?.parameters ?? new Map<string, string>();
      for (const codec of ['mpeg4-generic', 'MP4A-LATM', 'opus', 'PCMA']) {
        try {
          const d = describeAudioFormat({ payloadType: 96, codec, clockRate: 16000, channels: 1, fmtp });
          if (d.mpeg4Generic && !(d.mpeg4Generic.frameTicks > 0)) throw new FuzzFinding(`frame duration ${d.mpeg4Generic.frameTicks}`);
        } catch (e) {
          if (!isTypedError(e)) throw e;
        }
      }
    },
  },
  {
    name: 'aac-rfc3640',
    // runs of RFC 3640 payloads (one-byte length prefix): whole, aggregated and fragmented AUs
    seeds: () => [
      payloadRun(packetizeRfc3640([hex('2110aabb'), hex('2111cc'), hex('2112')], { perPacket: 2 }).map((p) => p.payload)),
      payloadRun(packetizeRfc3640([new Uint8Array(300).fill(0x21), hex('2113')], { mtu: 100 }).map((p) => p.payload)),
      payloadRun(packetizeRfc3640([new Uint8Array(200).fill(0x22)], { mtu: 90, fragmentSizes: 'fragment' }).map((p) => p.payload)),
      hex('0a 0020 0010 0010 2110 2111'),
    ],
    run(input) {
      const MAX_AU = 2048;
      let frames = 0;
      const check = (f: AudioFrame) => {
        frames++;
        if (f.data.length === 0 || f.data.length > MAX_AU) throw new FuzzFinding(`frame of ${f.data.length} bytes outside 1..${MAX_AU}`);
      };
      const layouts = [AAC_HBR_LAYOUT, { ...AAC_HBR_LAYOUT, ctsDeltaLength: 8, dtsDeltaLength: 4, randomAccessIndication: true, auxiliaryDataSizeLength: 8 }];
      for (const layout of layouts) {
        const d = new Rfc3640Depacketizer(check, { layout, frameTicks: 1024 }, { maxAuBytes: MAX_AU });
        forEachPayload(input, (payload, seq, ts, marker) => d.pushPayload(payload, seq, ts, marker));
      }
      if (frames > 2 * input.length) throw new FuzzFinding('more frames than bytes');
    },
  },
  {
    name: 'aac-latm',
    seeds: () => [
      payloadRun(packetizeLatm([hex('2110aa'), new Uint8Array(300).fill(0x21), hex('2112')], { config: parseStreamMuxConfig(hex('40002810')), mtu: 120 }).map((p) => p.payload)),
      payloadRun(packetizeLatm([hex('2110'), hex('2111'), hex('2112'), hex('2113')], { config: { ...parseStreamMuxConfig(hex('400026203fc0')), numSubFrames: 1 }, inBand: true }).map((p) => p.payload)),
    ],
    run(input) {
      const MAX_AU = 1024;
      let frames = 0;
      const check = (f: AudioFrame) => {
        frames++;
        if (f.data.length === 0 || f.data.length > MAX_AU) throw new FuzzFinding(`frame of ${f.data.length} bytes outside 1..${MAX_AU}`);
      };
      const gst = parseStreamMuxConfig(hex('40002810'));
      for (const muxConfigPresent of [false, true]) {
        const d = new LatmDepacketizer(check, { clockRate: 16000, muxConfigPresent, streamMuxConfig: gst }, { maxAuBytes: MAX_AU, maxElementBytes: 4096 });
        forEachPayload(input, (payload, seq, ts, marker) => d.pushPayload(payload, seq, ts, marker));
      }
      if (frames > 2 * input.length) throw new FuzzFinding('more frames than bytes');
    },
  },
  {
    name: 'red',
    seeds: () => ['ef0f00026faabbcc', '6faabb', 'ef0f0002ef1e00016f aabb cc dd'].map((h) => hex(h)),
    run(input) {
      let total = 0;
      try {
        for (const b of parseRed(input)) total += b.data.length;
      } catch (e) {
        if (!isTypedError(e)) throw e;
      }
      if (total > input.length) throw new FuzzFinding('RED blocks longer than the payload');
      // the input as a run of Opus payloads through the encoder: never over its MTU
      const red = new RedEncoder({ payloadType: 111, maxPayloadBytes: 300 });
      forEachPayload(input, (payload, seq, ts) => {
        try {
          if (red.encode(payload, ts).length > 300) throw new FuzzFinding('RED payload over maxPayloadBytes');
        } catch (e) {
          if (!isTypedError(e)) throw e;
        }
      });
    },
  },
  {
    name: 'websocket-frames',
    // client frames as a browser sends them (RFC 6455 5.7 and after them): masked text "Hello", a
    // fragmented text with a ping between its fragments, a 16-bit length binary, a close with a reason
    seeds: () => ['818537fa213d7f9f4d5158', '018337fa213d7f9f4d 898037fa213d 808237fa213d5b95',
      '82fe008037fa213d' + '37fa213d'.repeat(32), '888537fa213d3412434452', '8a8037fa213d 888237fa213d3412'].map(hex),
    run(input) {
      const MAX = 1024;
      let messages = 0;
      const within = (n: number, bound: number) => { if (n > bound) throw new FuzzFinding(`${n} bytes handed out over the ${bound}-byte bound`); };
      const handler = {
        onText: (s: string) => { messages++; within(Buffer.byteLength(s), MAX); },
        onBinary: (b: Uint8Array) => { messages++; within(b.length, MAX); },
        onPing: (b: Uint8Array) => within(b.length, 125),
        onPong: (b: Uint8Array) => within(b.length, 125),
        onClose: () => undefined,
      };
      // the same bytes whole, cut at a data-dependent point, and one byte at a time (short inputs)
      const cut = input.length > 0 ? input[0] % input.length : 0;
      const chunkings = [[input], [input.subarray(0, cut), input.subarray(cut)]];
      if (input.length <= 256) chunkings.push(Array.from(input, (_, i) => input.subarray(i, i + 1)));
      for (const chunks of chunkings) {
        const decoder = new WebSocketFrameDecoder(handler, { maxMessageBytes: MAX });
        try {
          for (const c of chunks) decoder.push(c);
        } catch (e) {
          if (!isTypedError(e)) throw e;
        }
      }
      if (messages > input.length) throw new FuzzFinding('more messages than bytes');
    },
  },
];

/** Payloads as forEachPayload reads them: each after a one-byte length (under 256 bytes each). */
function payloadRun(payloads: Uint8Array[]): Uint8Array {
  return new Uint8Array(payloads.flatMap((p) => [p.length, ...p]));
}
