/** RtspSource with a camera that sends B-frames: dropped by default (forwarded with bFrames: forward), counted, logged once. */
import t from 'tap';
import { RtspSource } from '../../lib/gateway/rtsp-source.js';
import type { AccessUnit } from '../../lib/gateway/source.js';
import { rtpPacket } from '../support/fake-rtsp-server.js';
import { fakeCamera } from '../rtsp/client-support.js';
import { until } from '../support/fake-clock.js';
import { writeSlice } from '../h264/slice-writer.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const I = writeSlice({ type: 5, refIdc: 3, sliceType: 7, ppsId: 0 });
const P = writeSlice({ type: 1, refIdc: 2, sliceType: 5, ppsId: 0 });
const B = writeSlice({ type: 1, refIdc: 0, sliceType: 6, ppsId: 0 });

for (const bFrames of ['drop', 'forward'] as const) {
  t.test(`bFrames: ${bFrames}`, async (t) => {
    const cam = await fakeCamera({});
    t.teardown(() => cam.close());
    const log: string[] = [];
    const units: AccessUnit[] = [];
    const source = new RtspSource({ url: cam.server.url('/stream'), transport: 'tcp', bFrames, name: 'hall', log: createLogger(systemClock, (l) => log.push(l)) });
    source.start({ onAccessUnit: (au) => units.push(au), onState: () => undefined });
    t.teardown(() => source.stop());
    await until(() => cam.server.methods().includes('PLAY'), 'PLAY');
    await new Promise((r) => setTimeout(r, 50));
    const conn = cam.server.connections[0];
    let seq = 1;
    // display order I B B P B B P, sent in decode order I P B B P B B
    const gop = [[SPS, 0], [PPS, 0], [I, 0], [P, 9000], [B, 3000], [B, 6000], [P, 18000], [B, 12000], [B, 15000], [P, 27000]] as const;
    for (const [nal, ts] of gop) {
      const p = rtpPacket(seq++, ts, 0x1234, 96, new Uint8Array(nal));
      if (nal === SPS || nal === PPS) p[1] &= 0x7f;
      cam.server.sendFrame(conn, 0, p);
    }
    await until(() => Number(source.stats().accessUnits) >= 8, 'units');
    const s = source.stats();
    t.equal(s.quirks, 'b-frames');
    t.equal(s.bFrames, 4);
    t.equal(s.bFramesDropped, bFrames === 'drop' ? 4 : 0);
    t.equal(units.length, bFrames === 'drop' ? 4 : 8, 'I and three P (and the B-frames when forwarded)');
    if (bFrames === 'drop') t.same(units.map((u) => u.timestamp), [0, 9000, 18000, 27000], 'timestamps only rise');
    const bLines = log.filter((l) => / source\.b-frames /.test(l));
    t.equal(bLines.length, 1);
    t.match(bLines[0], bFrames === 'drop' ? /stream=hall .*every B-frame dropped.*Remedy/ : /bFrames: forward/);
  });
}
