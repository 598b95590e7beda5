/** Exit codes a script can rely on (also listed by `resnet-lab --help`). */
export const EXIT = {
  OK: 0,
  /** The command worked, but what it watched failed or was cancelled. */
  RUN_FAILED: 1,
  /** Bad command line or unreadable input file. */
  USAGE: 2,
  /** The API rejected the request (4xx): bad spec, unknown id. */
  REJECTED: 3,
  /** The API could not be reached or failed (5xx). */
  UNAVAILABLE: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
