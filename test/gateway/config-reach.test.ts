import t from 'tap';
import type { Test } from 'tap';
import { parseConfig } from '../../lib/gateway/config.js';

const SECRET = 'coturn-static-auth-secret-42';
const CREDENTIAL = 'long-term-password-99';

const refused = (t: Test, webrtc: unknown, message: RegExp) => {
  let err: unknown;
  try {
    parseConfig({ webrtc });
  } catch (e) {
    err = e;
  }
  t.match(err, { code: 'CONFIG_INVALID', message }, JSON.stringify(message.source));
  const text = `${String(err)} ${JSON.stringify(err)}`;
  t.notOk(text.includes(SECRET) || text.includes(CREDENTIAL), 'no secret or credential in the error');
};

t.test('iceServers, publicAddresses and udpMux that are right pass as given', (t) => {
  const webrtc = {
    iceServers: [
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turn:turn.example.org?transport=udp', 'turn:turn.example.org:443?transport=tcp', 'turns:turn.example.org'], secret: SECRET, ttlSeconds: 3600 },
      { urls: 'turn:[2001:db8::1]:3478', username: 'lecturer', credential: CREDENTIAL },
    ],
    publicAddresses: ['203.0.113.7', '2001:db8::7'],
    udpMux: true,
    portRangeBegin: 8189,
    portRangeEnd: 8189,
  };
  t.same(parseConfig({ webrtc: structuredClone(webrtc) }).webrtc, webrtc);
  t.end();
});

t.test('malformed TURN settings are refused at start, naming the field, never echoing a secret', (t) => {
  refused(t, { iceServers: {} }, /config\.webrtc\.iceServers must be an array/);
  refused(t, { iceServers: [{ secret: SECRET }] }, /config\.webrtc\.iceServers\[0\]\.urls is required/);
  refused(t, { iceServers: [{ urls: [] }] }, /iceServers\[0\]\.urls must name at least one/);
  refused(t, { iceServers: [{ urls: 'http://turn.example.org' }] }, /iceServers\[0\]\.urls\[0\] must be stun:host/);
  refused(t, { iceServers: [{ urls: [`turn:u:${CREDENTIAL}@h:3478`], username: 'u', credential: CREDENTIAL }] }, /iceServers\[0\]\.urls\[0\] must be/);
  refused(t, { iceServers: [{ urls: 'turn:h?transport=sctp', secret: SECRET }] }, /iceServers\[0\]\.urls\[0\]/);
  refused(t, { iceServers: [{ urls: 'turn:h' }] }, /iceServers\[0\] is a TURN server: it needs a secret or a username and credential/);
  refused(t, { iceServers: [{ urls: 'turn:h', username: 'u' }] }, /iceServers\[0\] needs both username and credential/);
  refused(t, { iceServers: [{ urls: 'turn:h', credential: CREDENTIAL }] }, /needs both username and credential/);
  refused(t, { iceServers: [{ urls: 'turn:h', secret: SECRET, username: 'u', credential: CREDENTIAL }] }, /has a secret: its username and credential are minted/);
  refused(t, { iceServers: [{ urls: 'turn:h', secret: 'short' }] }, /iceServers\[0\]\.secret must be a string of at least 8 characters/);
  refused(t, { iceServers: [{ urls: 'turn:h', username: 'u', credential: CREDENTIAL, ttlSeconds: 60 }] }, /ttlSeconds needs a secret/);
  refused(t, { iceServers: [{ urls: 'turn:h', secret: SECRET, ttlSeconds: 1 }] }, /ttlSeconds must be a number from 60/);
  refused(t, { iceServers: [{ urls: 'turn:h', secret: SECRET, sekret: SECRET }] }, /iceServers\[0\]\.sekret is not a known setting/);
  refused(t, { iceServers: Array.from({ length: 17 }, () => ({ urls: 'stun:h' })) }, /at most 16/);
  t.end();
});

t.test('publicAddresses are IP addresses; udpMux needs its port', (t) => {
  refused(t, { publicAddresses: ['camwire.example.org'] }, /config\.webrtc\.publicAddresses\[0\] must be an IPv4 or IPv6 address/);
  refused(t, { publicAddresses: '203.0.113.7' }, /publicAddresses must be an array/);
  refused(t, { udpMux: 'yes' }, /config\.webrtc\.udpMux must be true or false/);
  refused(t, { udpMux: true }, /udpMux needs portRangeBegin/);
  t.end();
});
