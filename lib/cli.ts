#!/usr/bin/env node
/** camwire command line. */
const USAGE = `camwire: IP camera (RTSP) to browser (WebRTC) gateway

usage:
  camwire [name=]rtsp://... [more...] [--http HOST:PORT] [--config FILE]
`;

process.stdout.write(USAGE);
