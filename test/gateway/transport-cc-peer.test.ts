import t from 'tap';
import { TransportCcPeer, transportCcExtensionId } from '../../lib/gateway/transport-cc-peer.js';
import { parseRtp, parseExtensionElements, writeRtpFixedHeader } from '../../lib/rtp/index.js';
import { transportCcSize, writeTransportCc } from '../../lib/rtcp/index.js';
import { FakePeer } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

const media = { mid: '0', payloadType: 102, fmtp: '', ssrc: 7, cname: 'c', streamId: 's', trackId: 't' };

t.test('the offer\'s extension id is found (and only a valid one-byte id)', (t) => {
  const offer = CHROMIUM_OFFER + 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n';
  t.equal(transportCcExtensionId(offer), 3);
  t.equal(transportCcExtensionId(CHROMIUM_OFFER), undefined, 'not offered');
  t.equal(transportCcExtensionId('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'), undefined);
  t.equal(transportCcExtensionId('a=extmap:15 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n'), undefined);
  t.end();
});

t.test('every packet gets the extension with the next transport-wide sequence number; payload and header kept', (t) => {
  const inner = new FakePeer(media, { onRtcp() {}, onState() {}, onOpen() {} }, () => {});
  inner.open();
  let now = 0;
  const peer = new TransportCcPeer(inner, 3, () => now);
  for (let i = 0; i < 3; i++) {
    const pkt = new Uint8Array(112);
    writeRtpFixedHeader(pkt, i === 2, 102, 1000 + i, 90_000, 7);
    pkt.fill(i + 1, 12);
    now += 10;
    t.ok(peer.sendRtp(pkt));
  }
  const sent = inner.rtp.map(parseRtp);
  t.same(sent.map((p) => p.sequenceNumber), [1000, 1001, 1002]);
  t.same(sent.map((p) => p.marker), [false, false, true]);
  t.ok(sent.every((p, i) => p.payload.length === 100 && p.payload.every((b) => b === i + 1)), 'payload unchanged');
  const ext = sent.map((p) => parseExtensionElements(p.headerExtension!));
  t.same(ext.map((e) => [e[0].id, (e[0].value[0] << 8) | e[0].value[1]]), [[3, 0], [3, 1], [3, 2]]);

  // Feedback: all three arrived 10 ms apart; a truncated one is counted, not thrown.
  const fb = { senderSsrc: 1, mediaSsrc: 7, baseSeq: 0, referenceTime: 0, feedbackCount: 0, statuses: Uint8Array.of(1, 1, 1), deltas: Int32Array.of(0, 40, 40) };
  const buf = new Uint8Array(transportCcSize(fb));
  writeTransportCc(fb, buf, 0);
  now = 100;
  peer.onRtcp(buf);
  t.equal(peer.stats().feedbacks, 1);
  t.equal(peer.stats().unknownPackets, 0);
  const cut = buf.slice(0, 20);
  cut[3] = 4; // the header says 5 words: 20 bytes, the deltas are gone
  peer.onRtcp(cut);
  t.equal(peer.stats().feedbackErrors, 1, 'truncated feedback: counted');
  t.end();
});
