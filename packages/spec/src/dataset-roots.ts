import { z } from 'zod';

/**
 * Where dataset directories may lie. A dataset's `dir` is joined on a worker's disk, so without a
 * fence a spec could make the worker read any file it can (`/etc` + `shadow`). These checks are
 * lexical (browser- and API-safe: the API may not see the worker's disk); the trainer repeats
 * them on real paths, symlinks resolved.
 */

/** Debian's dataset packages install here (Fashion-MNIST's default dir is inside). */
export const DEFAULT_DATASET_ROOTS: readonly string[] = ['/usr/share/datasets'];

/** Largest dataset file read (and largest gunzip output) unless DATASET_MAX_FILE_MB says otherwise. */
export const DEFAULT_DATASET_MAX_FILE_BYTES = 2 ** 30;

/** Where dataset files may be read from and how large they may be (DATASET_ROOTS, DATASET_MAX_FILE_MB). */
export interface DatasetAccess {
  roots: readonly string[];
  maxFileBytes: number;
}

export const DEFAULT_DATASET_ACCESS: DatasetAccess = {
  roots: DEFAULT_DATASET_ROOTS,
  maxFileBytes: DEFAULT_DATASET_MAX_FILE_BYTES,
};

/** The access an app's parsed env (datasetEnv) describes. */
export function datasetAccessFromEnv(env: { DATASET_ROOTS: readonly string[]; DATASET_MAX_FILE_MB: number }) {
  return { roots: env.DATASET_ROOTS, maxFileBytes: env.DATASET_MAX_FILE_MB * 2 ** 20 } satisfies DatasetAccess;
}

/**
 * `path` with `.` segments and repeated slashes removed, or null when it is not absolute, holds a
 * `..` segment or a NUL (refused rather than resolved: `..` is how a path climbs out of its root).
 */
export function normalizeAbsolutePath(path: string): string | null {
  if (!path.startsWith('/') || path.includes('\0')) return null;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  return `/${parts.join('/')}`;
}

/** Whether normalised `path` is `root` itself or below it (`/data2` is not under `/data`). */
export function isUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/** Why `dir` may not be read given these (normalised) roots, or null when it may. */
export function datasetDirProblem(dir: string, roots: readonly string[]): string | null {
  if (!dir.startsWith('/')) return `must be an absolute path under one of the dataset roots (${roots.join(':')})`;
  const normal = normalizeAbsolutePath(dir);
  if (normal === null) return "must not contain '..' segments";
  if (!roots.some((root) => isUnder(normal, root))) {
    return `is outside the dataset roots (DATASET_ROOTS=${roots.join(':')})`;
  }
  return null;
}

/** A file name inside a dataset directory: one path segment, never a way out of it. */
export function isPlainFileName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The env fragment both the API and the worker parse (README, Configuration). */
export const datasetEnv = {
  /** Colon-separated absolute directories; every dataset `dir` must lie under one of them. */
  DATASET_ROOTS: z
    .string()
    .default(DEFAULT_DATASET_ROOTS.join(':'))
    .transform((value, ctx) => {
      const roots: string[] = [];
      for (const entry of value.split(':').filter((e) => e !== '')) {
        const normal = normalizeAbsolutePath(entry);
        if (normal === null) {
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not an absolute path without '..'` });
          return z.NEVER;
        }
        roots.push(normal);
      }
      if (roots.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'needs at least one directory' });
        return z.NEVER;
      }
      return roots;
    }),
  /** Largest dataset file, and largest decompressed .gz, in MiB; a bigger one fails its job. */
  DATASET_MAX_FILE_MB: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_DATASET_MAX_FILE_BYTES / 2 ** 20),
};
