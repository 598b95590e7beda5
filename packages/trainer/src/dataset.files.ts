import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_DATASET_ACCESS,
  datasetDirProblem,
  isUnder,
  normalizeAbsolutePath,
  type DatasetAccess,
} from '@resnet-lab/spec';
import { TrainingError } from './training.errors';

const bad = (message: string) => new TrainingError(message, { retryable: false });

/** The limit as an error message gives it, naming the variable that raises it. */
const limit = (max: number) =>
  `the limit of ${max} bytes (${Math.round((max / 2 ** 20) * 10) / 10} MiB, DATASET_MAX_FILE_MB)`;

/** A file that does not exist (the loaders try other spellings before giving up). */
export class DatasetFileMissing extends TrainingError {
  constructor(readonly path: string) {
    super(`dataset file not found: ${path}`, { retryable: false });
  }
}

/**
 * The one way the loaders touch the disk: every directory and file is resolved (symlinks
 * followed) and must still lie under a dataset root, and no read or decompression grows past
 * maxFileBytes. Errors name paths and sizes, never the bytes read.
 */
export class DatasetReader {
  private realRoots: Promise<string[]> | null = null;

  constructor(readonly access: DatasetAccess = DEFAULT_DATASET_ACCESS) {}

  /** `dir` resolved to its real path, refused unless it lies under a root both as given and as resolved. */
  async directory(dir: string): Promise<string> {
    const roots = this.access.roots.map((r) => normalizeAbsolutePath(r) ?? r);
    const problem = datasetDirProblem(dir, roots);
    if (problem) throw bad(`dataset directory ${dir} ${problem}`);
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      throw bad(
        `dataset directory ${dir} ${(err as { code?: string }).code === 'ENOENT' ? 'not found' : 'unreadable'}`,
      );
    }
    await this.ensureInside(real, `dataset directory ${dir}`);
    return real;
  }

  /**
   * The whole file, refused when it resolves outside the roots or is larger than maxFileBytes.
   * Opened by its real path without following a final symlink, so swapping the file for a link
   * after the check does not get past it.
   */
  async read(path: string): Promise<Uint8Array> {
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw new DatasetFileMissing(path);
      throw bad(`cannot read dataset file ${path}`);
    }
    await this.ensureInside(real, `dataset file ${path}`);
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
      throw bad(`cannot read dataset file ${path}`);
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw bad(`dataset file ${path} is not a regular file`);
      const max = this.access.maxFileBytes;
      if (info.size > max) throw bad(`dataset file ${path} is ${info.size} bytes, over ${limit(max)}`);
      // Read at most max + 1 bytes: a file that grew since stat is caught without reading it all.
      const buffer = Buffer.alloc(Math.min(info.size, max) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) break;
      }
      if (length > max) throw bad(`dataset file ${path} is over ${limit(max)}`);
      return buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  }

  /** Whether `path` is a regular file inside the roots (a probe: never throws). */
  async isFile(path: string): Promise<boolean> {
    try {
      const real = await realpath(path);
      await this.ensureInside(real, path);
      return (await stat(real)).isFile();
    } catch {
      return false;
    }
  }

  /** Inflates a .gz file's bytes, stopping at maxFileBytes of output (a small file can inflate to gigabytes). */
  gunzip(path: string, bytes: Uint8Array): Uint8Array {
    const max = this.access.maxFileBytes;
    try {
      return gunzipSync(bytes, { maxOutputLength: max });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw bad(`${path}: decompresses to more than ${limit(max)}`);
      }
      throw bad(`${path}: not a valid gzip file`);
    }
  }

  private async ensureInside(real: string, what: string): Promise<void> {
    this.realRoots ??= Promise.all(
      this.access.roots.map((root) => realpath(root).catch(() => normalizeAbsolutePath(root) ?? root)),
    );
    const roots = await this.realRoots;
    if (!roots.some((root) => isUnder(real, root))) {
      throw bad(`${what} resolves outside the dataset roots (DATASET_ROOTS=${this.access.roots.join(':')})`);
    }
  }
}
