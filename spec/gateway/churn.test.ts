/**
 * Viewer churn (issue 9): node-datachannel viewers join over WHEP, receive video and leave
 * with DELETE, 200 of them in CI (`npm run churn -- 1000` for the full count). Afterwards the
 * gateway holds no viewer and no native peer, and its heap and RSS (after full collections,
 * measured after a warm-up) are back within a few MB.
 */
import t from 'tap';
import { runChurn } from '../../test/support/churn.js';

const MB = 1048576;

t.test('200 viewer joins and leaves: nothing leaks', async (t) => {
  const r = await runChurn(200);
  t.comment(JSON.stringify({ joined: r.joined, failed: r.failed, clientRetries: r.clientRetries, clientGaveUp: r.clientGaveUp, sawVideo: r.sawVideo, before: r.before, after: r.after, errors: r.errors }));
  t.equal(r.failed, 0, 'no join failed on camwire\'s side');
  t.equal(r.joined + r.clientGaveUp, 200, 'every viewer joined, but for the client library refusing answers (retried 5 times)');
  t.ok(r.joined >= 180, `joined: ${r.joined}`);
  t.ok(r.sawVideo > r.joined / 2, `viewers received video (${r.sawVideo})`);
  t.equal(r.after.viewers, 0, 'no viewer left in the stream');
  t.equal(r.after.peers, 0, 'no native peer left');
  t.ok(r.after.heapUsed - r.before.heapUsed < 4 * MB, `heap back within 4 MB (${((r.after.heapUsed - r.before.heapUsed) / MB).toFixed(1)} MB)`);
  t.ok(r.after.rss - r.before.rss < 16 * MB, `RSS back within 16 MB (${((r.after.rss - r.before.rss) / MB).toFixed(1)} MB)`);
});
