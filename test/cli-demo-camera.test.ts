import t from 'tap';
import { parseDemoCameraArgs } from '../lib/app/cli-demo-camera.js';

t.test('camwire demo-camera arguments', (t) => {
  t.same(parseDemoCameraArgs([]), {});
  t.same(parseDemoCameraArgs(['--port', '9554', '--host', '0.0.0.0', '--path', '/cam']), { port: 9554, host: '0.0.0.0', path: '/cam' });
  t.same(parseDemoCameraArgs(['--multicast']), { multicast: {} });
  t.same(parseDemoCameraArgs(['--audio', 'pcma']), { audio: 'pcma' });
  t.same(parseDemoCameraArgs(['--audio', 'none']), { audio: 'none' });
  t.match(parseDemoCameraArgs(['--audio', 'aac']), /pcmu, pcma or none/);
  t.same(parseDemoCameraArgs(['--user', 'u', '--password', 'p']), { auth: { users: { u: 'p' }, methods: ['digest'] } });
  t.same(parseDemoCameraArgs(['--user', 'u', '--password', 'p', '--auth', 'basic']), { auth: { users: { u: 'p' }, methods: ['basic'] } });
  t.match(parseDemoCameraArgs(['--port', 'x']), /--port/);
  t.match(parseDemoCameraArgs(['--port', '70000']), /--port/);
  t.match(parseDemoCameraArgs(['--user', 'u']), /together/);
  t.match(parseDemoCameraArgs(['--auth', 'ntlm']), /basic or digest/);
  t.match(parseDemoCameraArgs(['--frobnicate']), /unknown argument/);
  t.equal(parseDemoCameraArgs(['--help']), '');
  t.end();
});
