import t from 'tap';
import fc from 'fast-check';
import { addPublicCandidates, parseCandidateLine } from '../../lib/sdp/index.js';

const ANSWER = [
  'v=0',
  'o=rtc 1 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 109',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=candidate:1 1 UDP 2122317823 10.0.0.5 40000 typ host',
  'a=candidate:2 1 UDP 2122317567 172.17.0.2 40000 typ host',
  'a=candidate:3 1 UDP 1686109951 198.51.100.9 40000 typ srflx raddr 0.0.0.0 rport 0',
  'a=end-of-candidates',
  '',
].join('\r\n');

t.test('a public address joins every UDP host candidate once per port, ranked just below it', (t) => {
  const out = addPublicCandidates(ANSWER, ['203.0.113.7']);
  const added = out.split('\r\n').filter((l) => l.includes('203.0.113.7'));
  t.same(added, ['a=candidate:1p0 1 UDP 2122317822 203.0.113.7 40000 typ host'], 'one line: both host candidates share the port');
  t.ok(out.startsWith(ANSWER.split('a=candidate:2')[0]), 'the lines before stay as they were');
  t.match(out, /a=candidate:1p0[^\r\n]*\r\na=candidate:2 /, 'placed right after the candidate it copies');
  t.ok(out.endsWith('a=end-of-candidates\r\n'), 'end-of-candidates stays last');
  t.equal(addPublicCandidates(ANSWER, []), ANSWER, 'no addresses: the answer as it was');
  t.equal(addPublicCandidates(ANSWER, ['10.0.0.5']), ANSWER, 'an address the answer has already: nothing added');
  const lf = addPublicCandidates(ANSWER.replaceAll('\r\n', '\n'), ['2001:db8::7']);
  t.match(lf, /\na=candidate:1p0 1 UDP 2122317822 2001:db8::7 40000 typ host\n/, 'LF answers stay LF; IPv6 works');
  t.end();
});

t.test('parseCandidateLine refuses what is not a candidate', (t) => {
  t.same(parseCandidateLine('a=candidate:1 1 UDP 2122317823 10.0.0.5 40000 typ host'), {
    foundation: '1', component: 1, transport: 'UDP', priority: 2122317823, address: '10.0.0.5', port: 40000, type: 'host',
  });
  for (const bad of ['a=candidate:1 1 UDP 99999999999 h 1 typ host', 'a=candidate:1 0 UDP 1 h 1 typ host', 'a=candidate:1 1 UDP 1 h 70000 typ host', 'a=mid:0']) {
    t.equal(parseCandidateLine(bad), undefined, bad);
  }
  t.end();
});

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const candidate = fc.record({
  foundation: fc.stringMatching(/^[A-Za-z0-9+/]{1,32}$/),
  component: fc.integer({ min: 1, max: 2 }),
  transport: fc.constantFrom('UDP', 'udp', 'TCP'),
  priority: fc.nat({ max: 0xffffffff }),
  address: ipv4,
  port: fc.integer({ min: 1, max: 65535 }),
  type: fc.constantFrom('host', 'srflx', 'relay', 'prflx'),
});

t.test('property: every candidate line stays valid, none is lost, each (component, address, port) once', (t) => {
  fc.assert(
    fc.property(fc.array(candidate, { maxLength: 8 }), fc.uniqueArray(ipv4, { maxLength: 4 }), (cands, publics) => {
      const lines = cands.map((c) => `a=candidate:${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.address} ${c.port} typ ${c.type}`);
      const sdp = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', ...lines, ''].join('\r\n');
      const out = addPublicCandidates(sdp, publics).split('\r\n');
      for (const l of lines) if (!out.includes(l)) return false;
      const outCands = out.filter((l) => l.startsWith('a=candidate:'));
      const parsed = outCands.map(parseCandidateLine);
      if (parsed.some((c) => c === undefined)) return false;
      const added = parsed.slice().filter((_, i) => !lines.includes(outCands[i]));
      for (const a of added) {
        if (!publics.includes(a!.address) || a!.type !== 'host' || a!.transport.toLowerCase() !== 'udp' || a!.foundation.length > 32) return false;
      }
      const keys = added.map((c) => `${c!.component} ${c!.address} ${c!.port}`);
      return new Set(keys).size === keys.length;
    }),
  );
  t.end();
});
