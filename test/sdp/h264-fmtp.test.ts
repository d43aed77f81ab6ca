import t from 'tap';
import fc from 'fast-check';
import {
  decodeBase64,
  encodeBase64,
  formatProfileLevelId,
  parseH264Fmtp,
  parseProfileLevelId,
  serializeH264Fmtp,
  type H264FmtpInput,
} from '../../lib/sdp/index.js';

const SPS = Uint8Array.from([0x67, 0x4d, 0x00, 0x1f, 0x95, 0xa8, 0x14, 0x01, 0x6e, 0x40]);
const PPS = Uint8Array.from([0x68, 0xee, 0x3c, 0x80]);

t.test('RFC 6184 form: all four parameters', async (t) => {
  const f = parseH264Fmtp('96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1;sprop-parameter-sets=Z00AH5WoFAFuQA==,aO48gA==');
  t.same(f.profileLevelId, { profileIdc: 0x42, constraintFlags: 0xe0, levelIdc: 0x1f });
  t.equal(f.packetizationMode, 1);
  t.equal(f.levelAsymmetryAllowed, true);
  t.same(f.parameterSets, [SPS, PPS]);
  t.same(f.sps, SPS);
  t.same(f.pps, PPS);
  t.equal(f.spropIgnored, 0);
});

t.test('profile-level-id forms seen on cameras', async (t) => {
  t.same(parseProfileLevelId('420029'), { profileIdc: 66, constraintFlags: 0, levelIdc: 41 }, 'Hikvision');
  t.same(parseProfileLevelId('64C028'), { profileIdc: 100, constraintFlags: 0xc0, levelIdc: 40 }, 'upper-case hex');
  t.same(parseProfileLevelId('5046314'), { profileIdc: 77, constraintFlags: 0, levelIdc: 42 }, 'GW Security: decimal 0x4d002a');
  t.same(parseProfileLevelId('TeAo'), { profileIdc: 77, constraintFlags: 0xe0, levelIdc: 40 }, 'macro-video: base64 of 4d e0 28');
  t.equal(parseProfileLevelId('33'), undefined, 'two digits: no known profile');
  t.equal(parseProfileLevelId('010101'), undefined, 'mediamtx#2348: profile 1 is not a profile');
  t.equal(parseProfileLevelId(''), undefined);
  t.equal(parseProfileLevelId('zzzzzz'), undefined);
  t.equal(formatProfileLevelId({ profileIdc: 66, constraintFlags: 0xe0, levelIdc: 0x1f }), '42e01f');
});

t.test('no fmtp at all / no parameters (Bosch LIVE VIEW, Ubiquiti): everything undefined, no throw', async (t) => {
  const f = parseH264Fmtp(new Map());
  t.same(f, { parameterSets: [], spropIgnored: 0 });
  t.same(parseH264Fmtp('96'), { parameterSets: [], spropIgnored: 0 });
});

t.test('MediaMTX/Ezviz C6N: empty sprop-parameter-sets=', async (t) => {
  const f = parseH264Fmtp('96 packetization-mode=1; sprop-parameter-sets=');
  t.same(f.parameterSets, []);
  t.equal(f.sps, undefined);
  t.equal(f.packetizationMode, 1);
});

t.test('gortsplib annexb vector: Annex-B start codes before each set are stripped', async (t) => {
  const f = parseH264Fmtp('96 sprop-parameter-sets=AAAAAWdNAB+VqBQBbkA=,AAAAAWjuPIA=');
  t.same(f.parameterSets, [SPS, PPS]);
});

t.test('GW Security: trailing start codes after each set are stripped', async (t) => {
  const f = parseH264Fmtp('96 sprop-parameter-sets=Z00AH5WoFAFuQAAAAAE=,aO48gAAAAAE=');
  t.same(f.parameterSets, [SPS, PPS]);
});

t.test('SPS and PPS concatenated in one Annex-B entry are split', async (t) => {
  t.same(parseH264Fmtp('96 sprop-parameter-sets=AAAAAWdNAB+VqBQBbkAAAAABaO48gA==').parameterSets, [SPS, PPS]);
});

t.test('Sony SNC-WR630: PPS padded with zero bytes', async (t) => {
  const f = parseH264Fmtp('105 sprop-parameter-sets=Z00AH5WoFAFuQA==,KO4ESSJAAAAAAAAAAA==');
  t.same(f.pps, Uint8Array.from([0x28, 0xee, 0x04, 0x49, 0x22, 0x40]));
});

t.test('VStarcam: NAL units without headers plus zero padding are ignored, not thrown', async (t) => {
  const f = parseH264Fmtp('96 packetization-mode=1;sprop-parameter-sets=TQAqnageAIn5ZuAgICgAAAA=,7jyAAAAA');
  t.same(f.parameterSets, []);
  t.equal(f.sps, undefined);
  t.equal(f.pps, undefined);
  t.equal(f.spropIgnored, 2);
  t.equal(f.packetizationMode, 1);
});

t.test('mediamtx#2348: H.265 NAL units under an H264 rtpmap are not taken as SPS/PPS', async (t) => {
  const f = parseH264Fmtp('96 profile-level-id=010101; sprop-parameter-sets=QgEBAWAA,RAHA8g==');
  t.same(f.parameterSets, []);
  t.equal(f.spropIgnored, 2);
});

t.test('three NAL units and not-base64 entries', async (t) => {
  const f = parseH264Fmtp('96 sprop-parameter-sets=Z00AH5WoFAFuQA==,aO48gA==,aF6jzAMA,***');
  t.equal(f.parameterSets.length, 3);
  t.equal(f.spropIgnored, 1);
});

t.test('base64 codec agrees with Node Buffer', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const text = encodeBase64(bytes);
      t.equal(text, Buffer.from(bytes).toString('base64'));
      t.same(decodeBase64(text), bytes);
      t.same(decodeBase64(text.replace(/=+$/, '')), bytes);
    }),
    { numRuns: 200 },
  );
  t.equal(decodeBase64('a'), undefined);
  t.equal(decodeBase64('ab=c'), undefined);
  t.equal(decodeBase64('é'), undefined);
});

const arbNal = (type: 7 | 8) =>
  fc
    .uint8Array({ minLength: 3, maxLength: 40 })
    .map((b) => {
      const nal = Uint8Array.from([0x60 | type, ...b]);
      // no start code inside (real NAL units are emulation-prevented) and never ending in 0
      for (let i = 2; i < nal.length; i++) if (nal[i] <= 3 && nal[i - 1] === 0 && nal[i - 2] === 0) nal[i] = 4;
      if (nal[nal.length - 1] === 0) nal[nal.length - 1] = 1;
      return nal;
    });

t.test('property: parseH264Fmtp(serializeH264Fmtp(x)) gives x back', async (t) => {
  const arb = fc.record(
    {
      profileLevelId: fc.record({
        profileIdc: fc.constantFrom(66, 77, 88, 100, 110, 122, 244),
        constraintFlags: fc.integer({ min: 0, max: 255 }),
        levelIdc: fc.integer({ min: 1, max: 255 }),
      }),
      packetizationMode: fc.integer({ min: 0, max: 2 }),
      levelAsymmetryAllowed: fc.boolean(),
      parameterSets: fc.tuple(arbNal(7), arbNal(8)).map((x) => [...x]),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(arb, (input: H264FmtpInput) => {
      const f = parseH264Fmtp('96 ' + serializeH264Fmtp(input));
      t.same(f.profileLevelId, input.profileLevelId);
      t.equal(f.packetizationMode, input.packetizationMode);
      t.equal(f.levelAsymmetryAllowed, input.levelAsymmetryAllowed);
      t.same(f.parameterSets, input.parameterSets ?? []);
      t.equal(f.spropIgnored, 0);
    }),
    { numRuns: 200 },
  );
});

t.test('property: arbitrary fmtp text never throws', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 100 }), (a, b) => {
      parseH264Fmtp(a);
      parseH264Fmtp(`96 profile-level-id=${a};sprop-parameter-sets=${b}`);
    }),
    { numRuns: 500 },
  );
  t.pass('no throw');
});
