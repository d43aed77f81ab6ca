import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  describeTracks,
  findH264PayloadTypes,
  parseSdp,
  SdpParseError,
  SdpSerializeError,
  serializeSdp,
  type SdpConnection,
  type SessionDescription,
} from '../../lib/sdp/index.js';

const token = fc.stringMatching(/^[!-~]{1,12}$/);
/**
 * a token that cannot be mistaken for an o= nettype anchor, nor for the doubled `c=IN c=IN IP4`
 * of HIK cameras ('=' is no token character in RFC 8866 anyway)
 */
const plainToken = token.filter((s) => !/^(IN|IP)$/i.test(s) && !s.startsWith('c='));
const text = fc.stringMatching(/^[!-~é€]([ -~é€]{0,24}[!-~é€])?$/);
const name = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-.^_`{|}~]{1,12}$/);
const digits = fc.stringMatching(/^\d{1,20}$/);
const address = plainToken.filter((s) => !s.includes('/'));

const connection: fc.Arbitrary<SdpConnection> = fc.oneof(
  fc.record(
    { netType: fc.constant('IN'), addrType: fc.constant('IP4'), address, ttl: fc.integer({ min: 0, max: 255 }) },
    { requiredKeys: ['netType', 'addrType', 'address'] },
  ),
  fc.record({ netType: fc.constant('IN'), addrType: fc.constant('IP4'), address, ttl: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ netType: fc.constant('IN'), addrType: fc.constant('IP6'), address, count: fc.integer({ min: 1, max: 64 }) }, { requiredKeys: ['netType', 'addrType', 'address'] }),
  fc.record({ netType: plainToken, addrType: plainToken.filter((s) => !/^(IP4|IPV4|IP6)$/i.test(s)), address }),
);

const bandwidth = fc.record({ type: name, value: fc.nat() });
const attribute = fc.record({ key: name, value: fc.oneof(text, fc.constant('')) }, { requiredKeys: ['key'] });

const media = fc.record(
  {
    type: plainToken,
    port: fc.integer({ min: 0, max: 65535 }),
    portCount: fc.integer({ min: 1, max: 1000 }),
    protocol: plainToken,
    formats: fc.array(plainToken, { minLength: 1, maxLength: 5 }),
    title: text,
    connections: fc.array(connection, { maxLength: 2 }),
    bandwidths: fc.array(bandwidth, { maxLength: 2 }),
    key: text,
    attributes: fc.array(attribute, { maxLength: 8 }),
  },
  { requiredKeys: ['type', 'port', 'protocol', 'formats', 'connections', 'bandwidths', 'attributes'] },
);

const description: fc.Arbitrary<SessionDescription> = fc.record(
  {
    version: fc.integer({ min: 0, max: 9 }),
    origin: fc.record({
      username: plainToken,
      sessionId: digits,
      sessionVersion: digits,
      netType: fc.constantFrom('IN', 'IP'),
      addrType: fc.constantFrom('IP4', 'IP6', 'IPV4'),
      address,
    }),
    sessionName: fc.oneof(text, fc.constant('')),
    information: text,
    uri: text,
    emails: fc.array(text, { maxLength: 2 }),
    phones: fc.array(text, { maxLength: 2 }),
    connection,
    bandwidths: fc.array(bandwidth, { maxLength: 2 }),
    timings: fc.array(fc.record({ start: digits, stop: digits, repeats: fc.array(text, { maxLength: 2 }) }), { minLength: 1, maxLength: 2 }),
    timeZones: text,
    key: text,
    attributes: fc.array(attribute, { maxLength: 8 }),
    media: fc.array(media, { maxLength: 4 }),
  },
  { requiredKeys: ['version', 'origin', 'sessionName', 'emails', 'phones', 'bandwidths', 'timings', 'attributes', 'media'] },
);

t.test('property: parse(serialize(desc)) deep-equals desc for valid descriptions', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(description, (desc) => {
      runs++;
      const text = serializeSdp(desc);
      if (!/^v=\d\r\no=[^\r\n]+\r\ns=[^\r\n]*\r\n/.test(text) || !text.endsWith('\r\n')) return false;
      t.same(parseSdp(text), desc);
      return true;
    }),
    { numRuns: 500 },
  );
  t.equal(runs, 500);
});

function onlyTypedErrors(input: string | Uint8Array): boolean {
  try {
    const desc = parseSdp(input);
    describeTracks(desc);
    for (const m of desc.media) findH264PayloadTypes(m);
    // what we write from it, when we can write it, reads back the same
    let out: string | undefined;
    try {
      out = serializeSdp(desc);
    } catch (e) {
      if (!(e instanceof SdpSerializeError)) throw e;
    }
    if (out !== undefined) {
      const again = parseSdp(out);
      if (!isDeepStrictEqual(again, desc)) {
        // no normalization is allowed on the second pass: report the input that broke it
        throw new Error(`not idempotent for ${JSON.stringify(input)}`);
      }
    }
    return true;
  } catch (e) {
    if (e instanceof SdpParseError) return true;
    throw e;
  }
}

const sdpLine = fc
  .tuple(fc.constantFrom(...'vosiuepcbtrzkamxA'.split('')), fc.string({ maxLength: 40 }), fc.constantFrom('\r\n', '\n', '\r', ''))
  .map(([k, v, eol]) => `${k}=${v}${eol}`);
const sdpish = fc.array(
  fc.oneof(
    sdpLine,
    fc.constantFrom('m=video 0 RTP/AVP 96\r\n', 'a=rtpmap:96 H264/90000\r\n', 'a=fmtp:96 sprop-parameter-sets=', 'c=IN IP4 239.0.0.1/', 'o=- 1 '),
  ),
  { maxLength: 20 },
).map((l) => l.join(''));

t.test('property: arbitrary strings and bytes throw nothing but SdpParseError', async (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), onlyTypedErrors), { numRuns: 1000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyTypedErrors), { numRuns: 500 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyTypedErrors), { numRuns: 500 });
  fc.assert(fc.property(sdpish, onlyTypedErrors), { numRuns: 2000 });
  t.pass('only typed errors');
});
