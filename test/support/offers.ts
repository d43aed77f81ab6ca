/** Shaped like Chromium 156's recvonly video offer (its H.264 list: 42001f, 42e01f, 4d001f, f4001f). */
export const CHROMIUM_OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 103 104 107 108 109 114 115 116 117 118',
  'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=mid:0', 'a=recvonly', 'a=rtcp-mux', 'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:103 H264/90000', 'a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:104 rtx/90000', 'a=fmtp:104 apt=103',
  'a=rtpmap:107 H264/90000', 'a=fmtp:107 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:108 H264/90000', 'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtcp-fb:108 nack', 'a=rtcp-fb:108 nack pli',
  'a=rtpmap:109 rtx/90000', 'a=fmtp:109 apt=108',
  'a=rtpmap:114 H264/90000', 'a=fmtp:114 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
  'a=rtpmap:115 rtx/90000', 'a=fmtp:115 apt=114',
  'a=rtpmap:116 H264/90000', 'a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f',
  'a=rtpmap:117 rtx/90000', 'a=fmtp:117 apt=116',
  'a=rtpmap:118 red/90000', '',
].join('\r\n');

/**
 * Chrome 136+'s offer shape with H.265 (hardware decoding present): CHROMIUM_OFFER plus its
 * H265 format (Main profile, level 6, SRST) and RTX. Headless Chromium here offers no H265.
 */
export const H265_OFFER = CHROMIUM_OFFER
  .replace('m=video 9 UDP/TLS/RTP/SAVPF 96 97', 'm=video 9 UDP/TLS/RTP/SAVPF 96 97 49 50')
  .replace('a=rtpmap:103 H264/90000', [
    'a=rtpmap:49 H265/90000', 'a=rtcp-fb:49 nack', 'a=rtcp-fb:49 nack pli', 'a=fmtp:49 level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST',
    'a=rtpmap:50 rtx/90000', 'a=fmtp:50 apt=49', 'a=rtpmap:103 H264/90000',
  ].join('\r\n'));

/** Chromium's offer with its audio m-line too (audio first, as `addTransceiver('audio')` before video would not be: video is mid 0). */
export const CHROMIUM_AV_OFFER = CHROMIUM_OFFER.replace('a=group:BUNDLE 0', 'a=group:BUNDLE 0 1') + [
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=mid:1', 'a=recvonly', 'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:9 G722/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000', 'a=rtpmap:110 telephone-event/48000', 'a=rtpmap:126 telephone-event/8000', '',
].join('\r\n');
