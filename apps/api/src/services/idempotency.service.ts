import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdempotencyRepository } from '@resnet-lab/db';
import { AppError } from '../errors';
import type { ServiceLog } from './service-support';

/** A request that carried an Idempotency-Key: the key, the route it was sent to and its validated body. */
export interface IdempotentRequest {
  key: string;
  /** Keys are per project: two projects using the same key never see each other's answers. */
  project: string;
  route: string;
  body: unknown;
}

export interface Answer<T> {
  status: number;
  body: T;
}

export interface IdempotencyOptions {
  /** How long a request waits for an earlier one with its key to answer before a 409 (default 60 s). */
  waitMs?: number;
  /** Keys older than this are forgotten (default 24 h). */
  ttlMs?: number;
  /** How often this process prunes expired keys, on the next claim after the period (default hourly). */
  pruneEveryMs?: number;
}

/** The header as clients write it, in problems. */
const HEADER = 'Idempotency-Key';
const FIELD = 'headers.idempotency-key';

/** JSON with every object's keys sorted, so that key order in the request does not change its hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');

const conflict = (message: string) => new AppError('CONFLICT', message, [{ field: FIELD, message }]);

/**
 * Runs a creating request at most once per Idempotency-Key. The key is claimed in Postgres
 * before the work (its primary key decides between concurrent requests, in any API process); the
 * first answer is stored and every later request with the key and the same route and body gets it
 * back, while one still running is waited for by polling. A failed request gives its key up, so
 * only successes are replayed. A process that dies mid-request leaves its key claimed: later
 * requests with it get a 409 until it expires, never a second resource.
 */
export function idempotencyService(repo: IdempotencyRepository, options: IdempotencyOptions = {}) {
  const waitMs = options.waitMs ?? 60_000;
  const ttlMs = options.ttlMs ?? 24 * 3600_000;
  const pruneEveryMs = options.pruneEveryMs ?? 3600_000;
  let lastPrune = 0;

  /** Expired rows never answer (a claim takes them over); pruning only keeps the table small. */
  const pruneNowAndThen = () => {
    if (Date.now() - lastPrune < pruneEveryMs) return;
    lastPrune = Date.now();
    void repo.prune(ttlMs).catch(() => {
      lastPrune = 0;
    });
  };

  return {
    /** `execute`'s answer, or the stored answer of the first request with the key (`replayed`). */
    async run<T>(
      request: IdempotentRequest | null,
      log: ServiceLog,
      execute: () => Promise<Answer<T>>,
    ): Promise<Answer<T> & { replayed: boolean }> {
      if (!request) return { ...(await execute()), replayed: false };
      pruneNowAndThen();
      const hash = requestHash(request.body);
      const deadline = Date.now() + waitMs;
      // Stored behind the project's name, which has no spaces, so no two (project, key) pairs collide.
      const storedKey = `${request.project} ${request.key}`;
      let claim = await repo.claim(storedKey, request.route, hash, ttlMs);
      for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
        if (claim.claimed) return { ...(await runClaimed(storedKey, claim.owner, log, execute)), replayed: false };
        const existing = claim.existing;
        if (existing) {
          if (existing.route !== request.route) {
            throw conflict(`${HEADER} ${JSON.stringify(request.key)} was already used for ${existing.route}`);
          }
          if (existing.requestHash !== hash) {
            throw conflict(`${HEADER} ${JSON.stringify(request.key)} was already used with a different request body`);
          }
          if (existing.status !== null && existing.response !== null) {
            return { status: existing.status, body: JSON.parse(existing.response) as T, replayed: true };
          }
          if (Date.now() >= deadline) {
            throw conflict(
              `the first request with ${HEADER} ${JSON.stringify(request.key)} has not answered yet; retry later`,
            );
          }
        }
        // Jitter spreads many waiters' polls over time. They read the row; only a key that is gone
        // (its first request failed) is claimed again.
        await sleep(delay * (0.5 + Math.random()));
        const found = await repo.find(storedKey);
        claim = found ? { claimed: false, existing: found } : await repo.claim(storedKey, request.route, hash, ttlMs);
      }
    },
  };

  async function runClaimed<T>(
    key: string,
    owner: string,
    log: ServiceLog,
    execute: () => Promise<Answer<T>>,
  ): Promise<Answer<T>> {
    let answer: Answer<T>;
    try {
      answer = await execute();
    } catch (error) {
      // Left claimed, the key would answer 409 for a day to a retry that may well succeed.
      await repo
        .release(key, owner)
        .catch((releaseError: unknown) => log.warn({ err: releaseError }, 'could not release idempotency key'));
      throw error;
    }
    // The resource exists now: the client gets its answer even if storing it fails (later
    // requests with the key then get a 409 until it expires, still never a second resource).
    await repo
      .complete(key, owner, answer.status, JSON.stringify(answer.body))
      .catch((error: unknown) => log.warn({ err: error }, 'could not store the idempotent answer'));
    return answer;
  }
}

export type IdempotencyService = ReturnType<typeof idempotencyService>;
