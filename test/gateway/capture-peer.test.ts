import t from 'tap';
import { CapturingPeer } from '../../lib/gateway/capture-peer.js';
import type { WebRtcPeer } from '../../lib/gateway/transport.js';
import type { ViewerTap } from '../../lib/capture/capture-slot.js';
import type { MediaKind } from '../../lib/gateway/track.js';

t.test('a captured viewer\'s packets go out on the media they were sent for, and are recorded', async (t) => {
  const sent: [string, MediaKind | undefined][] = [];
  const peer = {
    sendRtp: (_p: Uint8Array, kind?: MediaKind) => { sent.push(['rtp', kind]); return kind !== 'audio'; },
    sendRtcp: (_p: Uint8Array, kind?: MediaKind) => { sent.push(['rtcp', kind]); return true; },
  } as unknown as WebRtcPeer;
  const recorded: [boolean, string | undefined][] = [];
  const tap = { sent: (_d: Uint8Array, rtcp: boolean, note?: { kind: string }) => recorded.push([rtcp, note?.kind]) } as unknown as ViewerTap;
  const p = new CapturingPeer(peer, tap);
  const pkt = new Uint8Array(12);
  t.equal(p.sendRtp(pkt, 'audio'), false, 'the transport\'s answer is passed on');
  t.equal(p.sendRtp(pkt), true);
  t.equal(p.sendRtcp(pkt, 'audio'), true);
  t.same(sent, [['rtp', 'audio'], ['rtp', undefined], ['rtcp', 'audio']], 'the media kind reaches the transport');
  t.same(recorded, [[false, 'send-failed'], [false, undefined], [true, undefined]], 'every packet recorded, a refused one noted');
});
