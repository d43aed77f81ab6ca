import t from 'tap';
import { bindUdpPair, closeUdpQuietly, MulticastPool } from '../../lib/rtsp/server/udp.js';

t.test('UDP port pairs: RTP on an even port, RTCP on the next; a taken fixed pair is a typed error', async (t) => {
  const a = await bindUdpPair('127.0.0.1');
  t.teardown(() => { closeUdpQuietly(a.rtp); closeUdpQuietly(a.rtcp); });
  t.equal(a.rtpPort % 2, 0);
  t.equal(a.rtcpPort, a.rtpPort + 1);
  t.equal(a.rtp.address().port, a.rtpPort);
  t.equal(a.rtcp.address().port, a.rtcpPort);
  await t.rejects(bindUdpPair('127.0.0.1', a.rtpPort), { code: 'RTSP_SERVER_NO_PORTS' });
  await t.rejects(bindUdpPair('127.0.0.1', 5001), { code: 'RTSP_SERVER_BAD_OPTION' }, 'odd RTP port');
});

t.test('multicast pool hands out each group address once and takes it back', (t) => {
  const pool = new MulticastPool({ firstAddress: '239.1.2.254', addresses: 3 });
  const got = [pool.allocate(), pool.allocate(), pool.allocate()];
  t.same(got, ['239.1.2.254', '239.1.2.255', '239.1.3.0'], 'crosses an octet boundary');
  t.equal(pool.allocate(), undefined, 'exhausted');
  pool.release('239.1.2.255');
  t.equal(pool.allocate(), '239.1.2.255');
  t.throws(() => new MulticastPool({ firstAddress: '10.0.0.1' }), { code: 'RTSP_SERVER_BAD_OPTION' });
  t.throws(() => new MulticastPool({ rtpPort: 5001 }), { code: 'RTSP_SERVER_BAD_OPTION' });
  t.throws(() => new MulticastPool({ firstAddress: '239.1.2' }), { code: 'RTSP_SERVER_BAD_OPTION' });
  t.end();
});
