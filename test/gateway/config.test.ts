import t from 'tap';
import fc from 'fast-check';
import { ConfigError, defaultConfig, defaultStreamConfig, parseConfig } from '../../lib/gateway/config.js';

const EXAMPLE = {
  http: { host: '0.0.0.0', port: 8080 },
  streams: {
    hall: { url: 'rtsp://user:pass@10.0.0.5/axis-media/media.amp', transport: 'udp', onDemand: false, rtsp: { parserLimits: { maxHeaderCount: 64, maxBodyBytes: 65536 } } },
    lobby: { url: 'rtsp://10.0.0.6:554/Streaming/Channels/101' },
  },
  allowSources: ['rtsp://10.0.0.*'],
  streamDefaults: { idleStopMs: 10000, maxViewers: 20 },
  webrtc: { bindAddress: '0.0.0.0', portRangeBegin: 40000, portRangeEnd: 40100 },
  recovery: { history: { maxAgeMs: 2000, maxPackets: 2048 }, keyframeRequestIntervalMs: 1000 },
};

t.test('a full config passes as is', (t) => {
  t.same(parseConfig(structuredClone(EXAMPLE)), EXAMPLE);
  t.same(parseConfig({}), { streams: {} }, 'everything has a default');
  t.end();
});

t.test('mistakes are named by their path', (t) => {
  const bad = (patch: (c: any) => void, msg: RegExp) => {
    const c: any = structuredClone(EXAMPLE);
    patch(c);
    t.throws(() => parseConfig(c), { code: 'CONFIG_INVALID', message: msg });
  };
  bad((c) => (c.htpp = {}), /config\.htpp is not a known setting/);
  bad((c) => (c.valueOf = false), /config\.valueOf is not a known setting/);
  bad((c) => (c.http.constructor = 1), /config\.http\.constructor is not a known setting/);
  bad((c) => (c.streams.hall.url = 'http://x/'), /config\.streams\.hall\.url must be an rtsp:\/\/ URL/);
  bad((c) => delete c.streams.lobby.url, /config\.streams\.lobby\.url is required/);
  bad((c) => (c.streams['bad name'] = { url: 'rtsp://x/' }), /bad stream name/);
  bad((c) => (c.http.port = 70000), /config\.http\.port must be a number from 0 to 65535/);
  bad((c) => (c.streams.hall.transport = 'carrier-pigeon'), /transport must be one of/);
  bad((c) => (c.webrtc.portRangeEnd = 30000), /portRangeBegin is above portRangeEnd/);
  bad((c) => delete c.webrtc.portRangeEnd, /needs both/);
  bad((c) => (c.allowSources = 'rtsp://*'), /allowSources must be an array/);
  bad((c) => (c.recovery.history.maxPackets = -1), /maxPackets/);
  bad((c) => (c.streams.hall.rtsp.parserLimits.maxBodyBytes = 10), /config\.streams\.hall\.rtsp\.parserLimits\.maxBodyBytes must be a number/);
  t.end();
});

t.test('arbitrary JSON: a config or a ConfigError, nothing else', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.record({ streams: fc.dictionary(fc.string(), fc.jsonValue()), http: fc.jsonValue() }, { requiredKeys: [] })), (v) => {
      try {
        parseConfig(v);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
  t.end();
});

t.test('the default config is a valid config, fresh on every call', (t) => {
  const d = defaultConfig();
  t.strictSame(parseConfig(structuredClone(d)), d);
  const stream = { hall: { url: 'rtsp://cam.invalid/', ...defaultStreamConfig() } };
  t.strictSame(parseConfig({ ...defaultConfig(), streams: structuredClone(stream) }).streams, stream, 'so are the default stream settings');
  d.streams.x = { url: 'rtsp://cam.invalid/' };
  d.allowSources!.push('rtsp://*');
  t.strictSame(defaultConfig().streams, {});
  t.strictSame(defaultConfig().allowSources, []);
  t.end();
});

t.test('rtspServer: the restream is off without a port, needs users or anonymous: true, never echoes a password', (t) => {
  const users = [{ user: 'edge', password: 'origin-secret' }];
  t.same(parseConfig({ rtspServer: { port: 8554, users } }).rtspServer, { port: 8554, users }, 'a port and a user');
  t.same(parseConfig({ rtspServer: { port: 0, anonymous: true } }).rtspServer, { port: 0, anonymous: true }, 'anonymous on request');
  t.same(parseConfig({ rtspServer: { host: '0.0.0.0' } }).rtspServer, { host: '0.0.0.0' }, 'no port: off, nothing required');
  t.same(defaultConfig().rtspServer, { host: '127.0.0.1', anonymous: false }, 'defaults: loopback, not anonymous, no port');
  const bad = (rtspServer: unknown, msg: RegExp) => t.throws(() => parseConfig({ rtspServer }), { code: 'CONFIG_INVALID', message: msg });
  bad({ port: 8554 }, /config\.rtspServer needs users, or anonymous: true/);
  bad({ port: 8554, users: [] }, /config\.rtspServer needs users, or anonymous: true/);
  bad({ port: 8554, anonymous: 'yes' }, /config\.rtspServer\.anonymous must be true or false/);
  bad({ port: 70000, anonymous: true }, /config\.rtspServer\.port must be a number from 0 to 65535/);
  bad({ users: {} }, /config\.rtspServer\.users must be an array/);
  bad({ users: [{ user: 'a' }] }, /config\.rtspServer\.users\[0\] needs both user and password/);
  bad({ users: [{ user: 'a:b', password: 'long-enough' }] }, /config\.rtspServer\.users\[0\]\.user must not contain ':'/);
  bad({ users: [...users, { user: 'edge', password: 'another-one' }] }, /config\.rtspServer\.users\[1\]\.user "edge" is listed twice/);
  bad({ users: [{ user: 'a', password: 'long-enough', role: 'admin' }] }, /config\.rtspServer\.users\[0\]\.role is not a known setting/);
  try {
    parseConfig({ rtspServer: { users: [{ user: 'a', password: 'short' }] } });
    t.fail('a short password is refused');
  } catch (err) {
    t.match((err as Error).message, /config\.rtspServer\.users\[0\]\.password must be a string of at least 8 characters/);
    t.notMatch((err as Error).message, /short/, 'the password is not in the message');
  }
  t.end();
});

t.test('rtsps streams: rtsp.tls options checked, UDP and multicast refused under TLS', (t) => {
  const stream = (s: object) => ({ streams: { cam: { url: 'rtsps://cam.invalid/live', ...s } } });
  t.doesNotThrow(() => parseConfig(stream({ rtsp: { tls: { ca: '/etc/cam-ca.pem', servername: 'cam.example', insecure: false } } })));
  t.doesNotThrow(() => parseConfig(stream({ transport: 'tcp' })));
  for (const transport of ['udp', 'multicast']) {
    t.throws(() => parseConfig(stream({ transport })), { code: 'CONFIG_INVALID', message: new RegExp(`streams\\.cam\\.transport: rtsps:// .*'${transport}' is not possible`) });
  }
  t.doesNotThrow(() => parseConfig({ streams: { cam: { url: 'rtsp://cam.invalid/live', transport: 'udp' } } }), 'plain rtsp:// keeps UDP');
  t.throws(() => parseConfig(stream({ rtsp: { tls: { insecure: 'yes' } } })), { message: /rtsp\.tls\.insecure must be true or false/ });
  t.throws(() => parseConfig(stream({ rtsp: { tls: { ca: '' } } })), { message: /rtsp\.tls\.ca must be a non-empty string/ });
  t.throws(() => parseConfig(stream({ rtsp: { tls: { pem: 'x' } } })), { message: /tls/ });
  t.end();
});
