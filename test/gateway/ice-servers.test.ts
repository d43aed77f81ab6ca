import t from 'tap';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { iceServerLinks, mintTurnCredentials, parseIceUrl, resolveIceServers } from '../../lib/gateway/ice-servers.js';

t.test('TURN REST credentials: coturn use-auth-secret, checked against node:crypto directly', (t) => {
  const c = mintTurnCredentials('north-lecture-hall', 'hall-7', 1_765_000_000.9);
  t.equal(c.username, '1765000000:hall-7', 'expiry in whole unix seconds, then the viewer id');
  const expected = createHmac('sha1', 'north-lecture-hall').update('1765000000:hall-7').digest('base64');
  t.equal(c.credential, expected);
  t.equal(c.credential.length, 28, 'base64 of a 20-byte SHA-1 HMAC');
  t.end();
});

t.test('resolveIceServers mints per viewer from the wall clock, and keeps fixed credentials as given', (t) => {
  const list = resolveIceServers(
    [
      { urls: 'stun:stun.example.org' },
      { urls: ['turn:t.example.org?transport=tcp'], secret: 's3cret-s3cret', ttlSeconds: 600 },
      { urls: 'turn:fixed.example.org:3478', username: 'u', credential: 'p' },
    ],
    'viewer-1',
    1_000_000_000_500,
  );
  t.same(list[0], { urls: ['stun:stun.example.org'] });
  t.equal(list[1].username, '1000000600:viewer-1', 'now (s) + ttlSeconds');
  t.equal(list[1].credential, createHmac('sha1', 's3cret-s3cret').update('1000000600:viewer-1').digest('base64'));
  t.notOk(JSON.stringify(list).includes('s3cret'), 'no secret in what viewers are handed');
  t.same(list[2], { urls: ['turn:fixed.example.org:3478'], username: 'u', credential: 'p' });
  const day = resolveIceServers([{ urls: 'turn:t', secret: 'ssssssss' }], 'v', 0);
  t.equal(day[0].username, '86400:v', 'ttlSeconds defaults to one day');
  t.end();
});

t.test('Link headers as draft-ietf-wish-whep writes them: one per URL', (t) => {
  const links = iceServerLinks([
    { urls: ['stun:stun.example.org:3478'] },
    { urls: ['turn:t.example.org:3478?transport=udp', 'turn:t.example.org:3478?transport=tcp'], username: '17:v', credential: 'a+b/c=' },
  ]);
  t.same(links, [
    '<stun:stun.example.org:3478>; rel="ice-server"',
    '<turn:t.example.org:3478?transport=udp>; rel="ice-server"; username="17:v"; credential="a+b/c="; credential-type="password"',
    '<turn:t.example.org:3478?transport=tcp>; rel="ice-server"; username="17:v"; credential="a+b/c="; credential-type="password"',
  ]);
  const odd = iceServerLinks([{ urls: ['turn:h'], username: 'say "hi"\\', credential: 'x' }]);
  t.match(odd[0], /username="say \\"hi\\"\\\\"/, 'quotes and backslashes escaped (RFC 9110 quoted-string)');
  t.end();
});

t.test('parseIceUrl: RFC 7064/7065 URLs, default ports, transport only for TURN', (t) => {
  t.same(parseIceUrl('stun:stun.example.org'), { scheme: 'stun', host: 'stun.example.org', port: 3478, transport: undefined });
  t.same(parseIceUrl('turns:t.example.org'), { scheme: 'turns', host: 't.example.org', port: 5349, transport: undefined });
  t.same(parseIceUrl('turn:[2001:db8::1]:443?transport=tcp'), { scheme: 'turn', host: '2001:db8::1', port: 443, transport: 'tcp' });
  for (const bad of ['http://x', 'turn:', 'stun:h?transport=tcp', 'turn:u:p@h:3478', 'turn:h:0', 'turn:h:70000', 'turn:h?transport=sctp', 'turn:h x']) {
    t.equal(parseIceUrl(bad), undefined, bad);
  }
  t.end();
});

t.test('property: every Link header value names its URL and parses back to its credentials', (t) => {
  const cred = fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
  fc.assert(
    fc.property(cred, cred, (username, credential) => {
      const [link] = iceServerLinks([{ urls: ['turn:h:3478'], username, credential }]);
      const params: Record<string, string> = {};
      for (const m of link.matchAll(/([a-z-]+)="((?:[^"\\]|\\.)*)"/g)) params[m[1]] = m[2].replace(/\\(.)/g, '$1');
      return link.startsWith('<turn:h:3478>; rel="ice-server"') && params.username === username && params.credential === credential;
    }),
  );
  t.end();
});
