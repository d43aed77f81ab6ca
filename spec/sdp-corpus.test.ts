/**
 * Every DESCRIBE body of the shared real-camera corpus parses, and every H.264 track yields
 * payload type, clock rate, raw control and (where the camera sent a sane sprop) SPS + PPS.
 * Expected values are read from the raw text by independent means (regexes, Node's base64),
 * not from our parser, so a regression in the parser shows up here.
 */
import t, { type Test } from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFile, readCorpus } from '../test/support/env.js';
import { describeTracks, parseSdp, type SdpTrack } from '../lib/sdp/index.js';

interface CorpusSdp {
  id: string;
  sdp: string;
}

/** sprop present but not H.264 parameter sets (empty; H.265 NAL units under H264). */
const INSANE_SPROP = new Set(['gortsplib-video-h264-empty-sprop-parameter-sets', 'gortsplib-video-h264-with-unparsable-parameters-mediamtx-2348']);

function sections(sdp: string): string[] {
  return ('\n' + sdp).split(/\r?\n(?=m=)/).slice(1);
}

/** The first sprop entry decoded with Node, start codes and trailing zeros removed. */
function firstSpropNal(sprop: string): Buffer {
  let b = Buffer.from(sprop.split(',')[0].trim(), 'base64');
  if (b.subarray(0, 4).equals(Buffer.from([0, 0, 0, 1]))) b = b.subarray(4);
  if (b.subarray(b.length - 4).equals(Buffer.from([0, 0, 0, 1]))) b = b.subarray(0, b.length - 4);
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

function checkSdp(t: Test, id: string, sdp: string): number {
  const desc = parseSdp(sdp);
  const raw = sections(sdp);
  t.equal(desc.media.length, raw.length, `${id}: one media per m= line`);
  const tracks = describeTracks(desc);
  let h264 = 0;
  tracks.forEach((track: SdpTrack, i: number) => {
    const text = raw[i];
    const control = /^a=control:(.*)$/m.exec(text)?.[1].trim();
    t.equal(track.control, control, `${id} #${i}: raw control`);
    for (const f of track.formats) {
      if (f.codec?.toUpperCase() !== 'H264') continue;
      h264++;
      t.ok(new RegExp(`^m=\\S+ \\S+ \\S+ (.* )?${f.payloadType}( |$)`, 'm').test(text), `${id}: H.264 PT ${f.payloadType} is on the m= line`);
      t.equal(f.clockRate, 90000, `${id}: H.264 clock rate`);
      const sprop = new RegExp(`^a=fmtp:${f.payloadType} .*sprop-parameter-sets=([^;\\r\\n]*)`, 'm').exec(sdp)?.[1];
      if (sprop === undefined || INSANE_SPROP.has(id)) {
        t.equal(f.h264?.sps, undefined, `${id}: no SPS without a sane sprop`);
        continue;
      }
      t.equal((f.h264?.sps?.[0] ?? 0) & 0x1f, 7, `${id} PT ${f.payloadType}: SPS (NAL type 7)`);
      t.equal((f.h264?.pps?.[0] ?? 0) & 0x1f, 8, `${id} PT ${f.payloadType}: PPS (NAL type 8)`);
      const first = firstSpropNal(sprop);
      if ((first[0] & 0x1f) === 7 && !first.includes(Buffer.from([0, 0, 1]))) {
        t.same(Buffer.from(f.h264?.sps ?? []), first, `${id}: SPS bytes match Node's base64 decode`);
      }
    }
  });
  return h264;
}

t.test('corpus sdps.json: all 67 parse; H.264 tracks give PT, clock, control, SPS/PPS', async (t) => {
  const buf = readCorpus('sdps.json');
  if (!buf) {
    t.comment('skip: ' + corpusFile('sdps.json').skip);
    return;
  }
  const entries = JSON.parse(buf.toString('utf8')) as CorpusSdp[];
  t.equal(entries.length, 67);
  let h264 = 0;
  for (const e of entries) h264 += checkSdp(t, e.id, e.sdp);
  t.comment(`${h264} H.264 formats checked`);
  t.ok(h264 >= 45, 'most corpus SDPs carry H.264');
});

t.test('corpus cameras/*_describe.txt: the SDP body of each DESCRIBE response', async (t) => {
  const dir = corpusFile('cameras');
  if (!dir.path) {
    t.comment('skip: ' + dir.skip);
    return;
  }
  const files = readdirSync(dir.path).filter((f) => f.endsWith('_describe.txt'));
  t.ok(files.length >= 12, 'describe captures present');
  for (const f of files) {
    const text = readFileSync(join(dir.path, f), 'latin1');
    const split = text.indexOf('\r\n\r\n');
    t.ok(split > 0, `${f}: header/body separator`);
    const length = Number(/^Content-Length:\s*(\d+)/im.exec(text)?.[1]);
    const body = text.slice(split + 4, split + 4 + length);
    t.equal(body.length, length, `${f}: body as long as Content-Length`);
    const h264 = checkSdp(t, f, body);
    t.ok(h264 >= 1 || !/H264/i.test(body), `${f}: H.264 found when the SDP names it`);
  }
});
