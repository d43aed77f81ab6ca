#!/usr/bin/python3
"""GStreamer RTSP server for camwire's interop tests (run with /usr/bin/python3).

Prints `READY <port>` on stdout once it listens. Options:
  --port N           TCP port (default 8554)
  --address A        bind address (default 127.0.0.1)
  --path P           mount path (default /test)
  --protocols LIST   comma list of udp,tcp,mcast (default udp,tcp)
  --auth MODE        none|basic|digest (default none)
  --user U --password P
  --key-int N        x264 key-int-max (default 60; large = IDR only on request)
  --mcast-range LO-HI  multicast address range (default 224.3.0.1-224.3.0.10)
  --rtx-time MS      retransmission time: > 0 answers RTCP NACK with RTX (default 0: NACK ignored)
  --codec C          h264|h265 (default h264; h265: x265enc ! rtph265pay, Main profile)
  --audio CODEC      none|pcmu|pcma|opus|aac|g722: an audio track beside the video (default none),
                     a continuous 440 Hz tone at half scale
"""
import argparse
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--port', type=int, default=8554)
p.add_argument('--address', default='127.0.0.1')
p.add_argument('--path', default='/test')
p.add_argument('--protocols', default='udp,tcp')
p.add_argument('--auth', default='none', choices=['none', 'basic', 'digest'])
p.add_argument('--user', default='user')
p.add_argument('--password', default='pass')
p.add_argument('--key-int', type=int, default=60)
p.add_argument('--mcast-range', default='224.3.0.1-224.3.0.10')
p.add_argument('--rtx-time', type=int, default=0)
p.add_argument('--tls-cert')
p.add_argument('--tls-key')
p.add_argument('--launch')
p.add_argument('--codec', default='h264', choices=['h264', 'h265'])
p.add_argument('--audio', default='none', choices=['none', 'pcmu', 'pcma', 'opus', 'aac', 'g722'])
a = p.parse_args()

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address(a.address)
server.set_service(str(a.port))

VIDEO = {
    'h264': ('videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 '
             f'! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={a.key_int} threads=1 '
             '! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1'),
    'h265': ('videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1,format=I420 '
             f'! x265enc tune=zerolatency speed-preset=ultrafast key-int-max={a.key_int} '
             '! video/x-h265,profile=main ! rtph265pay name=pay0 pt=96 config-interval=-1'),
}
launch = '( ' + VIDEO[a.codec]
AUDIO = {
    'pcmu': 'audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay1 pt=0',
    'pcma': 'audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8',
    'g722': 'audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay name=pay1 pt=9',
    'opus': 'audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay name=pay1 pt=111',
    'aac': 'audio/x-raw,rate=16000,channels=1 ! voaacenc ! aacparse ! rtpmp4gpay name=pay1 pt=97',
}
if a.audio != 'none':
    # a continuous 440 Hz tone at half scale: audioLevel well above silence
    rate = int(AUDIO[a.audio].split('rate=')[1].split(',')[0])
    # 20 ms buffers: 20 ms packets, as cameras send them
    launch += (f' audiotestsrc is-live=true wave=sine freq=440 volume=0.5 samplesperbuffer={rate // 50} '
               '! audioconvert ! audioresample ! ' + AUDIO[a.audio])
launch += ' )'
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(a.launch or launch)
factory.set_shared(True)
if a.rtx_time > 0:
    # rtpsession then keeps a history (rtprtxsend) and resends NACKed packets as RTX (RFC 4588).
    # Measured: it needs the AVPF profile allowed on the factory, but then answers plain
    # RTP/AVP clients too. Without both, NACKs are ignored.
    factory.set_retransmission_time(a.rtx_time * Gst.MSECOND)
    factory.set_profiles(GstRtsp.RTSPProfile.AVP | GstRtsp.RTSPProfile.AVPF)

protocols = GstRtsp.RTSPLowerTrans(0)
for name in a.protocols.split(','):
    protocols |= {'udp': GstRtsp.RTSPLowerTrans.UDP, 'tcp': GstRtsp.RTSPLowerTrans.TCP,
                  'mcast': GstRtsp.RTSPLowerTrans.UDP_MCAST}[name]
factory.set_protocols(protocols)

if 'mcast' in a.protocols.split(','):
    lo, hi = a.mcast_range.split('-')
    pool = GstRtspServer.RTSPAddressPool()
    pool.add_range(lo, hi, 5000, 5010, 1)
    factory.set_address_pool(pool)

auth = None
if a.tls_cert:
    auth = GstRtspServer.RTSPAuth()
    auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(a.tls_cert, a.tls_key))
    if a.auth == 'none':
        # With an RTSPAuth in place, anonymous clients need a default token and permissions.
        anon = GstRtspServer.RTSPToken()
        anon.set_string('media.factory.role', 'anonymous')
        auth.set_default_token(anon)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role_from_structure(Gst.Structure.from_string(
            'anonymous, media.factory.access=(boolean)true, media.factory.construct=(boolean)true')[0])
        factory.set_permissions(perms)
        server.set_auth(auth)

if a.auth != 'none':
    auth = auth or GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', a.user)
    if a.auth == 'basic':
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    else:
        auth.add_digest(a.user, a.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    perms = GstRtspServer.RTSPPermissions()
    perms.add_role(a.user)
    perms.add_permission_for_role(a.user, 'media.factory.access', True)
    perms.add_permission_for_role(a.user, 'media.factory.construct', True)
    factory.set_permissions(perms)

server.get_mount_points().add_factory(a.path, factory)
if server.attach(None) == 0:
    print('FAILED attach', flush=True)
    sys.exit(1)
print(f'READY {server.get_bound_port()}', flush=True)
GLib.MainLoop().run()
