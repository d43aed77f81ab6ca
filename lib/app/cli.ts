#!/usr/bin/env node
/** camwire command line: dispatches to the subcommand's own module (loaded only when used). */
const USAGE = `camwire: IP camera (RTSP) to browser (WebRTC) gateway

usage:
  camwire [name=]rtsp://... [more...] [--http HOST:PORT] [--rtsp HOST:PORT] [--config FILE]
          [--log-level error|warn|info|debug] [--log-format text|json]
          (SIGHUP re-reads --config)
  camwire probe <rtsp-url> [--transport udp|tcp|multicast|auto] [--seconds N] [--json] [--no-nack]
                [--renditions]   (try the camera's sub-stream URLs, print a renditions block)
                [--ca FILE] [--insecure] [--servername NAME]   (rtsps://)
  camwire demo-camera [--port N] [--host ADDR] [--clip FILE.h264] [--path /demo] [--multicast] [--audio pcmu|pcma|none]
                      [--user U --password P [--auth basic|digest]]
`;

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'probe': {
      const { runProbe } = await import('./cli-probe.js');
      return runProbe(argv.slice(1));
    }
    case 'demo-camera': {
      const { runDemoCamera } = await import('./cli-demo-camera.js');
      return runDemoCamera(argv.slice(1));
    }
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default: {
      const { runGateway } = await import('./cli-gateway.js');
      return runGateway(argv);
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
