/**
 * The audio sections of the real DESCRIBE answers in the shared corpus (skipped on a clone
 * without it, a failure in CI): each camera's audio track gets the description its SDP means.
 */
import t from 'tap';
import { chooseAudioFormat } from '../../lib/audio/audio-fmtp.js';
import { describeTracks, parseSdp } from '../../lib/sdp/index.js';
import { corpusFile, readCorpus } from '../support/env.js';

/** The SDP of a corpus file: the body of a DESCRIBE answer, or the file itself. */
function corpusAudio(name: string) {
  const buf = readCorpus(`cameras/${name}`);
  if (!buf) return undefined;
  const text = buf.toString('latin1');
  const blank = text.search(/\r?\n\r?\n/);
  const sdp = text.startsWith('RTSP/') && blank >= 0 ? text.slice(blank).trimStart() : text;
  return describeTracks(parseSdp(sdp)).filter((tr) => tr.mediaType === 'audio');
}

const CASES: [string, string, Record<string, unknown>[]][] = [
  ['dahua_describe_h264_aac_onvif.txt', 'Dahua (ONVIF profile): AAC-hbr 48 kHz mono on PT 97', [{ codec: 'aac-hbr', payloadType: 97, clockRate: 48000, sampleRate: 48000, channels: 1 }]],
  ['dahua_describe_h265_pcma.txt', 'Dahua H.265 stream: PCMA', [{ codec: 'pcma', payloadType: 8, clockRate: 8000 }]],
  ['gw_main_describe.txt', 'GW Security: rtpmap PCMU on static PT 8 (the rtpmap wins)', [{ codec: 'pcmu', payloadType: 8 }]],
  ['h264dvr_describe.txt', 'H264DVR: PT 8 without rtpmap is PCMA', [{ codec: 'pcma', payloadType: 8, clockRate: 8000, channels: 1 }]],
  ['anpviz_sdp.txt', 'Anpviz: MPEG4-GENERIC on PT 0 with only config=', [{ codec: 'aac-hbr', payloadType: 0, sampleRate: 16000, channels: 1 }]],
  ['ubiquiti_sdp.txt', 'Ubiquiti: AAC and Opus on one PT in two sections', [{ codec: 'aac-hbr', sampleRate: 48000 }, { codec: 'opus', clockRate: 48000 }]],
  ['reolink_describe.txt', 'Reolink: trailing profile=1;', [{ codec: 'aac-hbr', sampleRate: 16000, channels: 1 }]],
  ['missing_content_type_describe.txt', 'config=119056E500: SBR sync extension', [{ codec: 'aac-hbr', sampleRate: 48000, channels: 2 }]],
  ['bunny_describe.txt', 'Wowza Big Buck Bunny: 12 kHz stereo', [{ codec: 'aac-hbr', sampleRate: 12000, channels: 2 }]],
  ['vstarcam_describe.txt', 'VStarcam: tab and space after the m= line', [{ codec: 'pcma', channels: 1 }]],
  ['tplink_sdp.txt', 'TP-Link: PCMA beside a TP-LINK application section', [{ codec: 'pcma' }]],
  ['foscam_describe.txt', 'Foscam: static PT 0 without rtpmap is PCMU', [{ codec: 'pcmu', clockRate: 8000 }]],
];

const skip = corpusFile('cameras').skip;
if (skip) {
  t.comment('skip: ' + skip);
} else {
  for (const [file, name, expected] of CASES) {
    t.test(name, async (t) => {
      const tracks = corpusAudio(file);
      t.ok(tracks, file);
      t.equal(tracks!.length, expected.length, 'audio sections');
      tracks!.forEach((track, i) => t.match(chooseAudioFormat(track), expected[i]));
    });
  }
}
