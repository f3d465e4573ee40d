/** One control request for an lvsctl verb, its failure printed as lvsctl prints every error. */
import { controlRequest, type ControlMethod, type ParamsOf, type ResultOf } from '../../control/index.js';
import type { Io } from '../io.js';

export type Answer<M extends ControlMethod> = { readonly ok: true; readonly value: ResultOf<M> } | { readonly ok: false };

/** The typed result of `method`, or `{ ok: false }` once the reason is on stderr (exit 1 for the caller). */
export async function ask<M extends ControlMethod>(o: { socket: string; method: M; params: ParamsOf<M>; io: Io; timeoutMs?: number }): Promise<Answer<M>> {
  try {
    return { ok: true, value: await controlRequest(o.socket, o.method, o.params, { timeoutMs: o.timeoutMs ?? 5000 }) };
  } catch (e) {
    o.io.err(`lvsctl: ${e instanceof Error ? e.message : String(e)}\n`);
    return { ok: false };
  }
}
