import t from 'tap';
import { parseProcNetUdp, socketDrops, systemRcvbufErrors } from '../../tools/lab/udp-drops.js';

const SAMPLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 0100007F:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123 2 0000000000000000 17
  121: 020200C0:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 124 2 0000000000000000 3
  122: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 125 2 0000000000000000 9
`;

t.test('parseProcNetUdp sums drops per port (hex), ignoring other ports', async (t) => {
  t.same(parseProcNetUdp(SAMPLE, [0xa1b2, 4000]), { [0xa1b2]: 20, 4000: 0 });
});

t.test('live readings are numbers on Linux', { skip: process.platform !== 'linux' && 'not Linux' }, async (t) => {
  t.type(systemRcvbufErrors(), 'number');
  t.type(socketDrops([1])?.[1], 'number');
});
