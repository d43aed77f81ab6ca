/**
 * The restream read by ffprobe, a real RTSP client: camwire with `--rtsp` serves its demo
 * stream at rtsp://127.0.0.1:PORT/demo over TCP-interleaved and UDP to a configured user
 * (Digest), refuses a client without credentials with 401, and answers wrong credentials
 * with 401 whether or not the stream exists. Every client shares the stream's one camera session.
 */
import t from 'tap';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { startCamwire } from './camwire-process.js';

const USER = { user: 'nvr', password: 'restream-secret' };

t.test('ffprobe reads the restream with credentials, over TCP and UDP, and is refused without', async (t) => {
  const why = missingTool('ffprobe');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const origin = await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], { rtspServer: { users: [USER] } });
  try {
    t.ok(origin.rtsp, `camwire printed its RTSP address:\n${origin.output()}`);
    t.notMatch(origin.output(), USER.password, 'the password is never printed');
    const at = (auth: string, path = 'demo') => origin.rtsp!.replace('rtsp://', `rtsp://${auth}`) + '/' + path;
    const probe = (url: string, transport: 'tcp' | 'udp') =>
      runTool('ffprobe', ['-rtsp_transport', transport, '-v', 'error', '-show_streams', url], 20_000);
    for (const transport of ['tcp', 'udp'] as const) {
      const r = await probe(at(`${USER.user}:${USER.password}@`), transport);
      t.equal(r.code, 0, `ffprobe over ${transport} exits 0 ${r.stderr}`);
      t.match(r.stdout, /codec_name=h264/, `h264 over ${transport}`);
      t.match(r.stdout, /width=1280/, 'width 1280');
      t.match(r.stdout, /height=720/, 'height 720');
    }
    const anonymous = await probe(at(''), 'tcp');
    t.not(anonymous.code, 0, 'without credentials ffprobe fails');
    t.match(anonymous.stderr, /401/, `answered 401 (${anonymous.stderr.trim()})`);
    const wrongExisting = await probe(at(`${USER.user}:wrong-password@`), 'tcp');
    const wrongMissing = await probe(at(`${USER.user}:wrong-password@`, 'no-such-stream'), 'tcp');
    t.match(wrongExisting.stderr, /401/, 'wrong password on a served stream: 401');
    t.match(wrongMissing.stderr, /401/, 'wrong password on a stream that does not exist: 401 too, not 404');
    const demo = await origin.stream('demo');
    t.equal(demo?.source.sessions, 1, 'three ffprobe runs, one camera session (PLAY) at the demo camera');
    const api = await (await fetch(origin.http + '/api/streams')).text();
    t.notMatch(api, USER.password, '/api/streams never shows the password');
  } finally {
    t.equal(await origin.stop(), 0, 'camwire exits cleanly on SIGINT');
  }
  t.notMatch(origin.output(), USER.password, 'nor does anything camwire printed');
});

t.test('an rtspServer without users refuses to start unless anonymous: true', async (t) => {
  const refused = startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0']);
  await t.rejects(refused, /config\.rtspServer needs users, or anonymous: true/, 'exits with the reason');
});
