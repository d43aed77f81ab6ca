/**
 * Child process: the native floor. A bare script with no camwire logic: a tiny WHEP answerer
 * (node-datachannel recipe from TESTING.md) and a timer that sends the same RTP packets camwire
 * would send (the 1080p30 stream packetized once, MTU 1200) to every open track with
 * sendMessageBinary. What is left of camwire's cost above this is camwire's own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { gop, TS_STEP } from '../stream1080p.js';
import { paceFrames } from './paced-source.js';
import { serve } from './sender-protocol.js';

// Prepared once, outside the measurement: every frame's packets as node-datachannel wants them.
const pz = new H264Packetizer({ mtu: 1200, payloadType: 0, ssrc: 0x0f1005 });
const frames = gop().map((f, i) => pz.packetize(f.nalus, i * TS_STEP).map((p) => Buffer.from(p)));

interface Peer { pc: PeerConnection; track: Track; open: boolean; pt: number }
const peers: Peer[] = [];
let packetsSent = 0;

function answer(offer: string): Promise<string> {
  const pc = new nodeDataChannel.PeerConnection(`floor-${peers.length}`, { iceServers: [], bindAddress: '127.0.0.1', disableAutoNegotiation: true });
  const mid = /a=mid:(\S+)/.exec(offer)?.[1] ?? '0';
  const pt = Number(/a=rtpmap:(\d+) H264\/90000/.exec(offer)?.[1] ?? 102);
  pc.setRemoteDescription(offer, 'offer');
  const video = new nodeDataChannel.Video(mid, 'SendOnly');
  video.addH264Codec(pt, 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1');
  video.addSSRC(0x0f1005 + peers.length, 'floor', 'floor', 'video');
  const track = pc.addTrack(video);
  const peer: Peer = { pc, track, open: false, pt };
  track.onOpen(() => { peer.open = true; });
  track.onClosed(() => { peer.open = false; });
  peers.push(peer);
  return new Promise((resolve) => {
    pc.onGatheringStateChange((s) => { if (s === 'complete') resolve(pc.localDescription()?.sdp ?? ''); });
    pc.setLocalDescription('answer');
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void answer(Buffer.concat(chunks).toString()).then((sdp) => {
      res.writeHead(201, { 'content-type': 'application/sdp', location: `/whep/cam/${peers.length}` });
      res.end(sdp);
    });
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));

let seq = 0;
const stopPacing = paceFrames((index) => {
  const pkts = frames[index % frames.length];
  const ts = (1000 + index * TS_STEP) >>> 0;
  for (let i = 0; i < pkts.length; i++) {
    const p = pkts[i];
    // Fresh sequence numbers and timestamps as the GOP loops (SRTP rejects replayed indexes).
    p[2] = seq >> 8; p[3] = seq & 0xff;
    seq = (seq + 1) & 0xffff;
    p.writeUInt32BE(ts, 4);
    for (let v = 0; v < peers.length; v++) {
      const peer = peers[v];
      if (!peer.open) continue;
      p[1] = (p[1] & 0x80) | peer.pt; // the one per-viewer byte any sender must set
      try {
        if (peer.track.sendMessageBinary(p)) packetsSent++;
      } catch {
        peer.open = false; // closed by the viewer between onClosed and now
      }
    }
  }
});

serve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/whep/cam`, () => ({ packetsSent, viewers: peers.filter((p) => p.open).length }), async () => {
  stopPacing();
  for (const p of peers) { try { p.pc.close(); } catch { /* closed */ } }
  server.close();
});
