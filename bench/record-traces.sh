#!/usr/bin/env bash
# Records a held-out set of target traces: real programs other than those behind
# ../shared/data/traces (xz/gzip, SQLite, gcc, NumPy), recorded the same way (1 s period, /proc,
# whole machine), so the generator is scored on behaviour it was not tuned on.
#   bench/record-traces.sh [OUT_DIR]    (default bench/traces; run as root on a quiet machine:
#                                        it drops the page cache for the cold-read phases)
#   ONLY="sort-merge cc-build" bench/record-traces.sh    records just those
set -euo pipefail
out=$(realpath -m "${1:-bench/traces}")
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d /var/tmp/edgemime-traces.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"
cd "$scratch"

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
export -f drop

record() {
  local name=$1 script=$2
  [[ -z ${ONLY:-} || " $ONLY " == *" $name "* ]] || return 0
  echo "recording $name" >&2
  node "$repo/dist/cli/main.js" trace record --period 1 --probe off --duration 150 --out "$out/$name.csv" -- bash -euc "$script" \
    || echo "$name: the workload failed; its trace is partial" >&2
  rm -rf "${scratch:?}"/*
}

# Archiving: tar of a source tree, then zstd at two levels and thread counts, then decompression.
record zstd-archive "
  sleep 2; tar cf tree.tar -C '$repo/node_modules' onnxruntime-web binaryen; sync; sleep 3
  zstd -q -T1 -12 tree.tar -o a.zst; sleep 3
  zstd -q -T2 -17 tree.tar -o b.zst; sync; sleep 3
  drop; zstd -q -d -c b.zst > /dev/null; sleep 2"

# External sort: generate 40 M random lines, sort them with a small buffer (temporary files),
# count duplicates.
record sort-merge "
  sleep 2; awk 'BEGIN{srand(7); for(i=0;i<40000000;i++) printf \"%08d %s\n\", int(rand()*1e8), i}' > lines.txt; sync; sleep 3
  sort -S 16M -T . --parallel=2 lines.txt -o sorted.txt; sync; sleep 3
  drop; cut -c1-5 sorted.txt | uniq -c | sort -rn -S 16M -T . | head -1 > /dev/null; sleep 2"

# Version control: commit a source tree twice (an edit in between), clone it without hard links,
# repack aggressively, walk the history, check it.
record git-maintenance "
  sleep 2; cp -r '$repo/node_modules/binaryen' '$repo/node_modules/typescript' .; git init -q r; mv binaryen typescript r/
  cd r; git add -A; git -c user.name=t -c user.email=t@t commit -qm one; sync; sleep 3
  find typescript -name '*.js' | head -200 | xargs sed -i 's/function/function /'
  git -c user.name=t -c user.email=t@t commit -qam two; sync; sleep 3; cd ..
  git clone -q --no-local --no-hardlinks r c; sync; sleep 2
  git -C c gc -q --aggressive; sync; sleep 3
  git -C c log -p > /dev/null; sleep 2
  git -C c fsck --no-progress 2> /dev/null; sleep 2"

# Durable logging, then bulk I/O: fsync'd small appends at three rates, a pure-Python compute
# phase, a 400 MB write with fsync, and a cold read of it back.
record fsync-logger "
  sleep 2
  python3 - <<'PY'
import os, time, hashlib
fd = os.open('log.bin', os.O_WRONLY | os.O_CREAT | os.O_APPEND)
rec = os.urandom(4096)
for per_s, secs in ((20, 8), (200, 8), (1000, 8)):
    end = time.time() + secs
    while time.time() < end:
        os.write(fd, rec); os.fsync(fd); time.sleep(1 / per_s)
os.close(fd)
time.sleep(3)
h = hashlib.sha256(); end = time.time() + 10
while time.time() < end:
    h.update(str(time.time()).encode())
time.sleep(3)
with open('bulk.bin', 'wb') as f:
    block = os.urandom(1 << 20)
    for _ in range(400): f.write(block)
    f.flush(); os.fsync(f.fileno())
PY
  sleep 3; drop; sha256sum bulk.bin > /dev/null; sleep 2"

# Crypto and checksums: one then two cores of OpenSSL, a cold read checksummed on one core,
# encryption of it to a file.
record crypto-checksum "
  sleep 2; openssl speed -seconds 6 sha256 > /dev/null 2>&1; sleep 3
  openssl speed -multi 2 -seconds 6 aes-256-cbc > /dev/null 2>&1; sleep 3
  head -c 600M /dev/urandom > data.bin; sync; drop; sleep 2
  b2sum data.bin > /dev/null; sleep 3
  openssl enc -aes-256-ctr -pbkdf2 -pass pass:x -in data.bin -out data.enc; sync; sleep 2"

# A C build of another shape than build-burst: one large translation unit at -O2, then a
# parallel build of many small ones, then the object files archived.
record cc-build "
  sleep 2
  python3 - <<'PY'
import os
os.makedirs('src', exist_ok=True)
with open('big.c', 'w') as f:
    for i in range(3000):
        f.write(f'int f{i}(int x){{int s=0;for(int j=0;j<x;j++)s+=(j*{i})^(s>>3);return s;}}\n')
for n in range(120):
    with open(f'src/u{n}.c', 'w') as f:
        for i in range(60):
            f.write(f'double g{n}_{i}(double x){{double s=0;for(int j=0;j<100;j++)s+=x*j/({i}+1.0);return s;}}\n')
with open('Makefile', 'w') as f:
    f.write('OBJ=\$(patsubst %.c,%.o,\$(wildcard src/*.c))\nall: \$(OBJ)\n%.o: %.c\n\tgcc -O2 -c \$< -o \$@\n')
PY
  sleep 2; gcc -O2 -c big.c -o big.o; sleep 3
  make -s -j2; sleep 2
  ar rcs lib.a src/*.o big.o; sync; sleep 2"
