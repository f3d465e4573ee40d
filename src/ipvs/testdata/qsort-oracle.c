/* Test oracle for src/ipvs/sort.ts: what glibc's qsort() does with a comparator that,
 * like ipvsadm 1.31's ipvs_cmp_services, returns (int)((u32)a - (u32)b), on elements
 * larger than 32 bytes (glibc then sorts indirectly with its merge sort, stdlib/msort.c).
 * Build and run (writes qsort-vectors.json):
 *   gcc -O1 -o /tmp/qsort-oracle qsort-oracle.c && /tmp/qsort-oracle > qsort-vectors.json
 * Deterministic: a fixed LCG generates the inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

struct elem { uint32_t key; uint32_t id; char pad[120]; }; /* > 32 bytes, like ipvs_service_entry_t */

static int cmp(const void *a, const void *b) {
  const struct elem *x = a, *y = b;
  int r = x->key - y->key; /* u32 difference read as int: wraps */
  return r;
}

static uint32_t seed = 12345;
static uint32_t lcg(void) { seed = seed * 1103515245u + 12345u; return seed; }

int main(void) {
  static const uint32_t pool[] = { 0x0a000001u, 0x0a000002u, 0xc0a80101u, 0xc0a80102u, 0x7f000001u,
    0x80000000u, 0x00000001u, 0xffffffffu, 0xac100001u, 0x01020304u, 0xe0000001u, 0x0a0a0a0au };
  const int npool = sizeof pool / sizeof pool[0];
  printf("[\n");
  for (int v = 0; v < 60; v++) {
    int n = 1 + (int)(lcg() % 24);
    struct elem *e = calloc(n, sizeof *e);
    for (int i = 0; i < n; i++) { e[i].key = (v % 3 == 0) ? lcg() : pool[lcg() % npool]; e[i].id = i; }
    printf("  {\"keys\": [");
    for (int i = 0; i < n; i++) printf("%s%u", i ? ", " : "", e[i].key);
    qsort(e, n, sizeof *e, cmp);
    printf("], \"order\": [");
    for (int i = 0; i < n; i++) printf("%s%u", i ? ", " : "", e[i].id);
    printf("]}%s\n", v == 59 ? "" : ",");
    free(e);
  }
  printf("]\n");
  return 0;
}
