#!/usr/bin/env bash
# The oneDNN engine under AddressSanitizer: builds a copy of the addon with -fsanitize=address
# (in .run/engine-asan, leaving the real build alone) and runs the engine's kernel tests against
# it, so an out-of-bounds read or write in any native kernel fails loudly instead of corrupting
# memory quietly. CI runs it as its own step; it needs g++'s libasan (Debian: libasan8, installed
# with g++) and the oneDNN headers.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=.run/engine-asan
libasan=$(g++ -print-file-name=libasan.so)
if [ ! -e "$libasan" ]; then
  echo "engine-memcheck: libasan.so not found (install libasan8 or g++)" >&2
  exit 1
fi
rm -rf "$out" && mkdir -p "$out"
cp -r packages/engine-onednn/binding.gyp packages/engine-onednn/native "$out/"
node_gyp="$(dirname "$(dirname "$(command -v node)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
nodedir="$(dirname "$(dirname "$(command -v node)")")"
echo "engine-memcheck: building the addon with AddressSanitizer"
(cd "$out" && NODE_PATH="$root/node_modules" CXXFLAGS="-fsanitize=address -fno-omit-frame-pointer -g" \
  LDFLAGS="-fsanitize=address" node "$node_gyp" rebuild --jobs=max --nodedir="$nodedir" > build.log 2>&1) || {
  tail -20 "$out/build.log" >&2
  exit 1
}
echo "engine-memcheck: running the kernel tests against it"
# Node itself is not instrumented: the runtime is preloaded, and leak reports (V8 keeps memory to
# the end by design) are off; any invalid access still aborts the test process with a report.
LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0 RESNET_LAB_ONEDNN_ADDON="$root/$out/build/Release/onednn.node" \
  RESNET_LAB_REQUIRE_ONEDNN=1 npx vitest run packages/engine-onednn/src/kernel-safety.test.ts \
  packages/engine-onednn/src/kernel-fuzz.test.ts packages/engine-onednn/src/kernels/kernel-parity.test.ts \
  packages/engine-onednn/src/resnet-training-step.test.ts
