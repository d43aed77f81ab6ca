/** assets/demo.h264 (made by assets/make-demo.sh) is what the demo camera needs it to be. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';
import { splitAnnexB, NalType } from '../../lib/h264/nal.js';
import { parseSps, profileLevelId } from '../../lib/h264/sps.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { H264Depacketizer, type AccessUnit } from '../../lib/h264/depacketizer.js';
import { parseRtp } from '../../lib/rtp/packet.js';

t.test('demo clip: 720p constrained baseline, SPS/PPS before every IDR, survives RTP both ways', async (t) => {
  const nalus = splitAnnexB(readFileSync(join(repoRoot, 'assets/demo.h264')));
  const sps = parseSps(nalus.find((n) => (n[0] & 0x1f) === NalType.Sps)!);
  t.equal(profileLevelId(sps), '42c01f', 'constrained baseline, level 3.1');
  t.same([sps.width, sps.height, sps.frameRate], [1280, 720, 30]);
  // access units: a new one at each SPS or slice with first_mb_in_slice = 0
  const aus: Uint8Array[][] = [];
  for (const n of nalus) {
    const type = n[0] & 0x1f;
    const starts = type === NalType.Sps || ((type === 1 || type === 5) && (n[1] & 0x80) !== 0);
    if (aus.length === 0 || (starts && aus.at(-1)!.some((u) => [1, 5].includes(u[0] & 0x1f)))) aus.push([]);
    aus.at(-1)!.push(n);
  }
  t.equal(aus.length, 150, '5 s at 30 fps');
  const idrs = aus.filter((a) => a.some((n) => (n[0] & 0x1f) === NalType.Idr));
  t.equal(idrs.length, 5, 'one IDR per second');
  t.ok(idrs.every((a) => a.some((n) => (n[0] & 0x1f) === NalType.Sps) && a.some((n) => (n[0] & 0x1f) === NalType.Pps)), 'SPS/PPS in-band before each IDR');
  const p = new H264Packetizer({ sequenceNumber: 65000 });
  const out: AccessUnit[] = [];
  const d = new H264Depacketizer((au) => out.push(au), { firstSequenceNumber: 65000 });
  aus.forEach((au, i) => { for (const b of p.packetize(au, i * 3000)) d.push(parseRtp(b)); });
  t.equal(out.length, 150);
  t.ok(out.every((a, i) => a.complete && a.nalus.length === aus[i].length && a.nalus.every((n, k) => Buffer.compare(n, aus[i][k]) === 0)));
  t.equal(p.stats.parameterSetsInserted, 0);
});
