/**
 * The restream read by ffprobe, a real RTSP client: camwire with `--rtsp` serves its demo
 * stream at rtsp://127.0.0.1:PORT/demo over TCP-interleaved and UDP to a configured user
 * (Digest), refuses a client without credentials with 401, and answers wrong credentials
 * with 401 whether or not the stream exists. Every client shares the stream's one camera session.
 * Streams added by POST /api/streams are served at once (an H.265 camera as H.265) and gone
 * (404) after DELETE.
 */
import t from 'tap';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { startCamwire } from './camwire-process.js';
import { missingGstRtspServer, startGstServer, type GstServer } from '../support/gst-server.js';

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

t.test('a stream added by POST /api/streams is restreamed at once (H.265 as H.265) and gone (404) after DELETE', async (t) => {
  const why = missingTool('ffprobe');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const token = 'restream-admin-token';
  const cw = await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], { rtspServer: { users: [USER] }, http: { adminToken: token } });
  const noH265 = missingGstRtspServer('h265');
  const hevc: GstServer | undefined = noH265 ? undefined : await startGstServer({ codec: 'h265', protocols: 'tcp', keyInt: 30 });
  try {
    const demoCamera = /demo camera \((rtsp:\/\/\S+)\)/.exec(cw.output())?.[1];
    t.ok(demoCamera, 'the demo camera\'s address is printed');
    const api = (method: string, path: string, body?: object) => fetch(cw.http + path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body && JSON.stringify(body),
    });
    const at = (path: string) => cw.rtsp!.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + '/' + path;
    const probe = (path: string) => runTool('ffprobe', ['-rtsp_transport', 'tcp', '-v', 'error', '-show_streams', at(path)], 20_000);
    t.equal((await api('POST', '/api/streams', { name: 'late', url: demoCamera })).status, 201, 'POST /api/streams: 201');
    const late = await probe('late');
    t.equal(late.code, 0, `ffprobe reads the added stream ${late.stderr}`);
    t.match(late.stdout, /codec_name=h264/, 'h264');
    t.match(late.stdout, /width=1280/, 'width 1280');
    if (hevc) {
      t.equal((await api('POST', '/api/streams', { name: 'hevc', url: hevc.url(), transport: 'tcp' })).status, 201, 'an H.265 camera added');
      const r = await probe('hevc');
      t.equal(r.code, 0, `ffprobe reads the H.265 restream ${r.stderr}`);
      t.match(r.stdout, /codec_name=hevc/, 'announced and read as H.265');
      t.match(r.stdout, /width=640/, 'width 640');
    } else {
      t.comment('H.265 part skipped: ' + noH265);
    }
    t.equal((await api('DELETE', '/api/streams/late')).status, 204, 'DELETE: 204');
    const gone = await probe('late');
    t.not(gone.code, 0, 'ffprobe fails after the DELETE');
    t.match(gone.stderr, /404/, `answered 404 (${gone.stderr.trim()})`);
  } finally {
    await hevc?.stop();
    t.equal(await cw.stop(), 0, 'camwire exits cleanly on SIGINT');
  }
});
