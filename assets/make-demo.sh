#!/bin/sh
# Makes assets/demo.h264, the clip the built-in demo camera loops: 1280x720, 30 fps, 5 s,
# and assets/demo-360p.h264, the same picture at 640x360 (the demo camera's second rendition,
# as a camera's sub stream: /demo-360p),
# H.264 constrained baseline (no B-frames, so RTP timestamps rise with every frame), one IDR
# per second with SPS/PPS repeated in-band before each, as an Annex-B byte stream.
# The picture moves (testsrc2) and shows a running clock, so a frozen stream is easy to see.
set -eu
cd "$(dirname "$0")"
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
TEXT="drawtext=fontfile=$FONT:text='camwire demo  %{pts\\:hms}  frame %{n}':x=40:y=40:fontsize=44:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12"
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" \
  -vf "$TEXT" \
  -c:v libx264 -profile:v baseline -level:v 3.1 -pix_fmt yuv420p -preset medium \
  -b:v 450k -maxrate 600k -bufsize 600k -g 30 -keyint_min 30 -sc_threshold 0 -bf 0 \
  -x264-params repeat-headers=1:threads=1 \
  -bsf:v h264_mp4toannexb -f h264 demo.h264
ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x360:rate=30:duration=5" \
  -vf "$(echo "$TEXT" | sed 's/fontsize=44/fontsize=22/;s/x=40:y=40/x=20:y=20/;s/boxborderw=12/boxborderw=6/')" \
  -c:v libx264 -profile:v baseline -level:v 3.0 -pix_fmt yuv420p -preset medium \
  -b:v 150k -maxrate 200k -bufsize 200k -g 30 -keyint_min 30 -sc_threshold 0 -bf 0 \
  -x264-params repeat-headers=1:threads=1 \
  -bsf:v h264_mp4toannexb -f h264 demo-360p.h264
ls -l demo.h264 demo-360p.h264
