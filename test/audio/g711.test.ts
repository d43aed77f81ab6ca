/** G.711 A-law and mu-law tables and encoders. */
import t from 'tap';
import fc from 'fast-check';
import { ALAW_TO_PCM, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ULAW_TO_PCM } from '../../lib/audio/g711.js';

t.test('reference values (ITU-T G.711 tables)', async (t) => {
  t.equal(ALAW_TO_PCM[0xd5], 8, 'A-law 0xD5: smallest positive');
  t.equal(ALAW_TO_PCM[0x55], -8);
  t.equal(ALAW_TO_PCM[0xaa], 32256, 'A-law peak');
  t.equal(ALAW_TO_PCM[0x2a], -32256);
  t.equal(ULAW_TO_PCM[0xff], 0, 'mu-law 0xFF: zero');
  t.equal(ULAW_TO_PCM[0x7f], 0);
  t.equal(ULAW_TO_PCM[0x80], 32124, 'mu-law peak');
  t.equal(ULAW_TO_PCM[0x00], -32124);
  t.equal(linearToAlaw(0), 0xd5, 'silence in A-law');
  t.equal(linearToUlaw(0), 0xff, 'silence in mu-law');
  t.equal(linearToAlaw(40000), 0xaa, 'clamped');
  t.equal(linearToUlaw(-40000), 0x00);
});

t.test('buffers: decode into a given array, typed error when it is too small', async (t) => {
  const out = new Int16Array(8);
  const pcm = decodeG711('alaw', Uint8Array.from([0xd5, 0x55]), out);
  t.same(Array.from(pcm), [8, -8]);
  t.equal(pcm.buffer, out.buffer, 'no new array');
  t.throws(() => decodeG711('ulaw', new Uint8Array(3), new Int16Array(2)), { code: 'AUDIO_BUFFER_TOO_SMALL' });
  t.throws(() => encodeG711('ulaw', new Int16Array(3), new Uint8Array(2)), { code: 'AUDIO_BUFFER_TOO_SMALL' });
});

for (const law of ['alaw', 'ulaw'] as const) {
  t.test(`${law}: every code survives decode -> encode -> decode; quantisation error bounded and monotonic`, async (t) => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const once = decodeG711(law, codes);
    t.same(Array.from(decodeG711(law, encodeG711(law, once))), Array.from(once));
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: -32768, max: 32767 }), (a, b) => {
      const [x, y] = a <= b ? [a, b] : [b, a];
      const q = decodeG711(law, encodeG711(law, Int16Array.from([x, y])));
      if (Math.abs(q[0] - x) > Math.max(16, Math.abs(x) >> 4)) throw new Error(`${x} -> ${q[0]}`);
      if (q[0] > q[1]) throw new Error(`not monotonic: ${x} -> ${q[0]}, ${y} -> ${q[1]}`);
    }), { numRuns: 2000 });
  });
}
