/* The stressor kernels of stressors-wasm/assembly/kernels.entry.ts, written the same way in C,
 * for bench/stressors.ts: `kernels KERNEL BYTES_OR_ENTRIES MS` runs one kernel for about MS
 * milliseconds of process CPU time (after a warm-up) and prints {"ops": N, "seconds": S}, S in CPU
 * seconds. Built with gcc -O2. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float v4sf __attribute__((vector_size(16)));
typedef long long v2di __attribute__((vector_size(16)));

static volatile uint64_t sink;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- CRC32C slicing-by-8 ---- */
static uint32_t T8[8][256];
static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int j = 0; j < 8; j++) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    T8[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = T8[0][i];
    for (int t = 1; t < 8; t++) { c = T8[0][c & 0xff] ^ (c >> 8); T8[t][i] = c; }
  }
}
#define CRC_UNIT 4096
static inline uint32_t step8(uint32_t crc, const uint8_t *p) {
  uint32_t lo, hi;
  memcpy(&lo, p, 4); memcpy(&hi, p + 4, 4);
  lo ^= crc;
  return T8[7][lo & 0xff] ^ T8[6][(lo >> 8) & 0xff] ^ T8[5][(lo >> 16) & 0xff] ^ T8[4][lo >> 24] ^
         T8[3][hi & 0xff] ^ T8[2][(hi >> 8) & 0xff] ^ T8[1][(hi >> 16) & 0xff] ^ T8[0][hi >> 24];
}
/* Two CRC32C lanes per 4 KiB unit (one per half), state = xor of the lanes. */
static size_t crc_run(const uint8_t *buf, size_t len, size_t off, uint32_t units) {
  uint32_t crc = ~(uint32_t)sink;
  for (uint32_t u = 0; u < units; u++) {
    const uint8_t *p = buf + off, *end = p + CRC_UNIT / 2;
    uint32_t b = 0xffffffffu;
    while (p < end) {
      crc = step8(crc, p);
      b = step8(b, p + CRC_UNIT / 2);
      p += 8;
    }
    crc ^= b;
    off += CRC_UNIT;
    if (off + CRC_UNIT > len) off = 0;
  }
  sink = ~crc;
  return off;
}

/* ---- f32x4 distance of 64-dim points to point 0 ---- */
#define FP_UNIT 64
static void fp_init(float *buf, uint32_t n, uint32_t seed) {
  uint32_t x = seed | 1;
  for (size_t i = 0; i < (size_t)n * 64; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    buf[i] = (float)(x >> 8) * (1.0f / 16777216.0f);
  }
}
static uint32_t fp_run(const float *buf, uint32_t n, uint32_t cur, uint32_t units) {
  v4sf total = {0, 0, 0, 0};
  const v4sf *q = (const v4sf *)buf;
  for (uint32_t g = 0; g < units * (FP_UNIT / 4); g++) {
    const v4sf *p = (const v4sf *)(buf + (size_t)cur * 64);
    v4sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int d = 0; d < 16; d++) {
      v4sf qd = q[d];
      v4sf d0 = p[d] - qd, d1 = p[d + 16] - qd, d2 = p[d + 32] - qd, d3 = p[d + 48] - qd;
      a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3;
    }
    total += (a0 + a1) + (a2 + a3);
    cur = cur + 4 >= n ? 0 : cur + 4;
  }
  float s = total[0] + total[1] + total[2] + total[3];
  uint32_t bits; memcpy(&bits, &s, 4); sink = bits;
  return cur;
}

/* ---- copy / compare / fill in pieces ---- */
static size_t copy_run(uint8_t *buf, size_t half, size_t piece, size_t off, uint32_t units) {
  for (uint32_t u = 0; u < units; u++) {
    memcpy(buf + half + off, buf + off, piece);
    off += piece;
    if (off + piece > half) off = 0;
  }
  return off;
}
/* Alternative copy loops, so the DRAM stream is compared with the best C copy on this machine. */
static size_t copy_loop64(uint8_t *buf, size_t half, size_t piece, size_t off, uint32_t units) {
  for (uint32_t u = 0; u < units; u++) {
    uint64_t *d = (uint64_t *)(buf + half + off); const uint64_t *s = (const uint64_t *)(buf + off);
    for (size_t i = 0; i < piece / 8; i++) d[i] = s[i];
    off += piece;
    if (off + piece > half) off = 0;
  }
  return off;
}
static size_t copy_loop128(uint8_t *buf, size_t half, size_t piece, size_t off, uint32_t units) {
  for (uint32_t u = 0; u < units; u++) {
    v2di *d = (v2di *)(buf + half + off); const v2di *s = (const v2di *)(buf + off);
    for (size_t i = 0; i < piece / 16; i += 4) { d[i] = s[i]; d[i + 1] = s[i + 1]; d[i + 2] = s[i + 2]; d[i + 3] = s[i + 3]; }
    off += piece;
    if (off + piece > half) off = 0;
  }
  return off;
}
static size_t cmp_run(const uint8_t *buf, size_t half, size_t piece, size_t off, uint32_t units) {
  v2di diff = {0, 0};
  for (uint32_t u = 0; u < units; u++) {
    const v2di *a = (const v2di *)(buf + off), *b = (const v2di *)(buf + off + half);
    for (size_t i = 0; i < piece / 16; i += 4)
      diff |= ((a[i] ^ b[i]) | (a[i + 1] ^ b[i + 1])) | ((a[i + 2] ^ b[i + 2]) | (a[i + 3] ^ b[i + 3]));
    off += piece;
    if (off + piece > half) off = 0;
  }
  sink = (diff[0] | diff[1]) != 0;
  return off;
}
static size_t fill_run(uint8_t *buf, size_t len, size_t piece, size_t off, uint32_t units) {
  for (uint32_t u = 0; u < units; u++) {
    memset(buf + off, (uint8_t)(u + 1), piece);
    off += piece;
    if (off + piece > len) off = 0;
  }
  return off;
}

/* ---- pointer chase ---- */
static void chase_init(uint8_t *buf, uint32_t n, uint32_t seed) {
  for (uint32_t i = 0; i < n; i++) *(uint32_t *)(buf + ((size_t)i << 6)) = i << 6;
  uint32_t x = seed | 1;
  for (uint32_t i = n - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    uint32_t j = (uint32_t)(((uint64_t)x * i) >> 32);
    uint32_t *a = (uint32_t *)(buf + ((size_t)i << 6)), *b = (uint32_t *)(buf + ((size_t)j << 6));
    uint32_t t = *a; *a = *b; *b = t;
  }
}
static uint32_t chase_run(const uint8_t *buf, uint32_t cur, uint32_t hops) {
  for (uint32_t h = 0; h < hops; h++) cur = *(const uint32_t *)(buf + cur);
  sink = cur;
  return cur;
}

/* ---- hash set insert-miss ---- */
static void hash_run(uint8_t *set, uint32_t cap, uint32_t entries, uint32_t count) {
  uint32_t *table = (uint32_t *)(set + 64);
  uint32_t size = ((uint32_t *)set)[0], x = ((uint32_t *)set)[1] | 1;
  for (uint32_t c = 0; c < count; c++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    uint32_t i = (uint32_t)(((uint64_t)(uint32_t)(x * 0x9e3779b1u) * cap) >> 32);
    while (table[i] != 0) i = i + 1 == cap ? 0 : i + 1;
    table[i] = x;
    if (++size == entries) { memset(table, 0, (size_t)cap << 2); size = 0; }
  }
  ((uint32_t *)set)[0] = size; ((uint32_t *)set)[1] = x;
}

#define PIECE (64 * 1024)

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: kernels KERNEL SIZE MS\n"); return 2; }
  const char *k = argv[1];
  size_t size = strtoull(argv[2], 0, 10);
  double ms = atof(argv[3]);
  size_t alloc = strcmp(k, "hashset") == 0 ? size * 8 + 64 : size;
  uint8_t *buf = aligned_alloc(65536, (alloc + 65535) & ~(size_t)65535);
  memset(buf, strcmp(k, "hashset") == 0 ? 0 : 1, alloc);
  crc_init();
  size_t half = size / 2 / 64 * 64, hp = half < PIECE ? half : PIECE, fp = size < PIECE ? size : PIECE;
  uint32_t n = (uint32_t)(size / 256);
  if (!strcmp(k, "fp-distance")) fp_init((float *)buf, n, 0x9e3779b9u);
  if (!strcmp(k, "chase")) chase_init(buf, (uint32_t)(size / 64), 0x2545f491u);
  if (!strcmp(k, "hashset")) ((uint32_t *)buf)[1] = 0x6b43a9b5u;
  size_t off = 0; uint32_t cur = 0;
  double opsPerUnit; uint32_t units = 1;
  if (!strcmp(k, "crc32c")) opsPerUnit = CRC_UNIT;
  else if (!strcmp(k, "fp-distance")) opsPerUnit = FP_UNIT;
  else if (!strcmp(k, "chase")) opsPerUnit = 64;
  else if (!strcmp(k, "hashset")) opsPerUnit = 64;
  else if (!strcmp(k, "memset")) opsPerUnit = fp;
  else opsPerUnit = hp;
  double start = 0, end = 0, ops = 0;
  /* A 10% warm-up, then time whole chunks of ~1 ms until MS has passed. */
  for (int phase = 0; phase < 2; phase++) {
    double t0 = now(), stop = t0 + (phase ? ms : ms / 10) / 1000;
    ops = 0;
    while (now() < stop) {
      if (!strcmp(k, "crc32c")) off = crc_run(buf, size, off, units);
      else if (!strcmp(k, "fp-distance")) cur = fp_run((float *)buf, n, cur, units);
      else if (!strcmp(k, "memcpy")) off = copy_run(buf, half, hp, off, units);
      else if (!strcmp(k, "copy64")) off = copy_loop64(buf, half, hp, off, units);
      else if (!strcmp(k, "copy128")) off = copy_loop128(buf, half, hp, off, units);
      else if (!strcmp(k, "memcmp")) off = cmp_run(buf, half, hp, off, units);
      else if (!strcmp(k, "memset")) off = fill_run(buf, size, fp, off, units);
      else if (!strcmp(k, "chase")) cur = chase_run(buf, cur, units * 64);
      else if (!strcmp(k, "hashset")) hash_run(buf, (uint32_t)(2 * size), (uint32_t)size, units * 64);
      else { fprintf(stderr, "unknown kernel %s\n", k); return 2; }
      ops += units * opsPerUnit;
      if (phase == 0 && now() - t0 < 0.001 / 4) units *= 2;
    }
    start = t0; end = now();
  }
  printf("{\"ops\": %.0f, \"seconds\": %.6f, \"sink\": %llu}\n", ops, end - start, (unsigned long long)sink);
  free(buf);
  return 0;
}
