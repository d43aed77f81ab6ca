/**
 * http.maxOfferLines: a WHEP offer with too many lines is refused with 413 SDP_TOO_MANY_LINES
 * before it is parsed or reaches the gateway; the count agrees with the SDP parser's lines.
 */
import t from 'tap';
import fc from 'fast-check';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { parseConfig, type HttpConfig } from '../../lib/gateway/config.js';
import { countSdpLines } from '../../lib/http/offer-lines.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

/** The lines lib/sdp/parse.ts would visit, without a trailing empty one. */
function parserLines(text: string): number {
  const parts = text.split(/\r\n|\n|\r/);
  return parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
}

t.test('countSdpLines counts what the SDP parser splits', async (t) => {
  t.equal(countSdpLines(''), 0);
  t.equal(countSdpLines('v=0'), 1);
  t.equal(countSdpLines('v=0\r\n'), 1);
  t.equal(countSdpLines('v=0\r\n\r\n'), 2);
  t.equal(countSdpLines('a\rb\nc\r\nd'), 4, 'lone CR, LF and CRLF each end a line');
  t.equal(countSdpLines('\n'.repeat(50_000), 10), 11, 'stops soon after the limit');
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('\r', '\n', 'a', '=', ' '), maxLength: 200 }), (s) => countSdpLines(s) === parserLines(s)));
  t.equal(countSdpLines(CHROMIUM_OFFER), parserLines(CHROMIUM_OFFER));
});

/** CHROMIUM_OFFER grown to exactly `lines` lines with attributes the negotiation ignores. */
function offerWithLines(lines: number, body = CHROMIUM_OFFER): string {
  const pad = lines - countSdpLines(body);
  return body + Array.from({ length: pad }, (_, i) => `a=x-pad:${i}\r\n`).join('');
}

async function withGateway(http: HttpConfig, fn: (gw: GatewayHandle, transport: FakeTransport) => Promise<void>): Promise<void> {
  const transport = new FakeTransport();
  const gw = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0, ...http },
    streams: { hall: { url: 'rtsp://127.0.0.1:9/x', rtsp: { reconnect: { enabled: false } } } },
  }), { transport });
  try {
    await fn(gw, transport);
  } finally {
    await gw.close();
  }
}

const post = (gw: GatewayHandle, body: string) =>
  fetch(gw.address + '/whep/hall', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body });

t.test('default 1000: 1000 lines are served, 1001 get 413 SDP_TOO_MANY_LINES', (t) =>
  withGateway({}, async (gw, transport) => {
    t.equal(countSdpLines(offerWithLines(1000)), 1000);
    const ok = await post(gw, offerWithLines(1000));
    t.equal(ok.status, 201, 'exactly at the limit');
    const over = await post(gw, offerWithLines(1001));
    t.equal(over.status, 413);
    t.equal(over.headers.get('x-camwire-error'), 'SDP_TOO_MANY_LINES');
    t.match(await over.text(), /^SDP_TOO_MANY_LINES: the offer has more than 1000 lines/);
    t.equal(transport.peers.length, 1, 'the refused offer never reached the gateway');
  }));

t.test('a configured maxOfferLines; refused before parsing (a line flood with no video is 413, not 400)', (t) =>
  withGateway({ maxOfferLines: 60 }, async (gw, transport) => {
    t.equal((await post(gw, offerWithLines(60))).status, 201);
    t.equal((await post(gw, offerWithLines(61))).status, 413);
    const flood = await post(gw, '\n'.repeat(30_000));
    t.equal(flood.status, 413, 'bare newlines within maxBodyBytes');
    t.equal(flood.headers.get('x-camwire-error'), 'SDP_TOO_MANY_LINES', 'not OFFER_NO_VIDEO: nothing was parsed');
    const lf = await post(gw, offerWithLines(61, CHROMIUM_OFFER.replace(/\r\n/g, '\n')));
    t.equal(lf.status, 413, 'LF-only line ends count too');
    t.equal(transport.peers.length, 1);
  }));

t.test('maxOfferLines is validated like the other bounds', async (t) => {
  t.same(parseConfig({ http: { maxOfferLines: 2000 }, streams: {} }).http, { maxOfferLines: 2000 });
  for (const bad of [0, 15, -1, 'many', 1e7, Infinity]) {
    t.throws(() => parseConfig({ http: { maxOfferLines: bad }, streams: {} }), { code: 'CONFIG_INVALID', message: /config\.http\.maxOfferLines/ }, String(bad));
  }
});
