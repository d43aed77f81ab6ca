/** `node dist/test/support/demo-camera-main.js [demo-camera args]`: the demo camera as a child process (e.g. inside a network namespace). */
import { runDemoCamera } from '../../lib/app/cli-demo-camera.js';

process.exitCode = await runDemoCamera(process.argv.slice(2));
