/**
 * ipvsadm's listing order, reproduced exactly (pure).
 *
 * ipvsadm 1.31 sorts with qsort() and the comparators ipvs_cmp_services / ipvs_cmp_dests
 * (libipvs/libipvs.c). Two quirks decide the order and must be kept:
 *  - fwmark and address differences are computed as `int r = (u32)a - (u32)b`, so a
 *    difference of 2^31 or more flips sign (10.0.0.1 sorts after 192.168.1.1) and the
 *    relation is not even transitive;
 *  - glibc 2.36's qsort (stdlib/msort.c) is a stable top-down merge sort (indirect for
 *    elements > 32 bytes): split at n1 = n/2, take the left element while cmp <= 0.
 * Because the relation is cyclic, the result depends on the input order (the kernel's
 * dump order) and on this exact algorithm; Array.prototype.sort would differ.
 */
import { addrWords } from './address.js';
import { AF_INET6, type IpvsDest, type IpvsService } from './types.js';

/** C `int` result of subtracting two u32 values (wraps at 2^32, then reads as signed). */
function wrapSub(a: number, b: number): number {
  return ((a >>> 0) - (b >>> 0)) | 0;
}

/** Address words compared as ipvsadm does: four words for IPv6, else only word 0. */
function cmpAddr(afOfFirst: number, a: readonly number[], b: readonly number[]): number {
  const words = afOfFirst === AF_INET6 ? 4 : 1;
  let r = 0;
  for (let i = 0; r === 0 && i < words; i++) r = wrapSub(a[i] ?? 0, b[i] ?? 0);
  return r;
}

/** ipvs_cmp_services: fwmark, af, protocol, address, port. */
export function cmpServices(a: IpvsService, b: IpvsService): number {
  let r = wrapSub(a.fwmark, b.fwmark);
  if (r !== 0) return r;
  r = a.af - b.af;
  if (r !== 0) return r;
  r = a.protocol - b.protocol;
  if (r !== 0) return r;
  r = cmpAddr(a.af, addrWords(a.af, a.addr), addrWords(b.af, b.addr));
  if (r !== 0) return r;
  return a.port - b.port;
}

/** ipvs_cmp_dests: address (word count chosen by the FIRST argument's family), then port. */
export function cmpDests(a: IpvsDest, b: IpvsDest): number {
  const r = cmpAddr(a.af, addrWords(a.af, a.addr), addrWords(b.af, b.addr));
  if (r !== 0) return r;
  return a.port - b.port;
}

/** glibc msort_with_tmp: stable top-down merge sort; returns a new array. */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return [...items];
  const n1 = Math.floor(items.length / 2);
  const left = glibcMergeSort(items.slice(0, n1), cmp);
  const right = glibcMergeSort(items.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined || r === undefined) break; // unreachable: both indices are in range
    if (cmp(l, r) <= 0) {
      out.push(l);
      i++;
    } else {
      out.push(r);
      j++;
    }
  }
  return out.concat(left.slice(i), right.slice(j));
}

/** Services in `ipvsadm -L` order (input: the kernel's dump order). */
export function sortServices<T extends { readonly service: IpvsService }>(list: readonly T[]): T[] {
  return glibcMergeSort(list, (a, b) => cmpServices(a.service, b.service));
}

/** Destinations in `ipvsadm -L` order (input: the kernel's dump order). */
export function sortDests<T extends IpvsDest>(list: readonly T[]): T[] {
  return glibcMergeSort(list, cmpDests);
}
