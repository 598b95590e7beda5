/**
 * An attempt's write was refused because the experiment has been claimed again since (its lease is
 * no longer the current one) or is no longer running: the attempt must stop, writing nothing more.
 */
export class LeaseLostError extends Error {
  constructor(
    readonly experimentId: string,
    readonly lease: number,
    readonly current: { attempts: number; status: string } | null,
  ) {
    super(
      current === null
        ? `experiment ${experimentId} no longer exists`
        : current.attempts !== lease
          ? `attempt ${lease} of experiment ${experimentId} was superseded by attempt ${current.attempts}`
          : `attempt ${lease} of experiment ${experimentId} may no longer write: the experiment is ${current.status}`,
    );
    this.name = 'LeaseLostError';
  }
}

export class NotFoundError extends Error {
  constructor(
    readonly entity: 'experiment' | 'grid',
    readonly id: string,
  ) {
    super(`${entity} ${id} does not exist`);
    this.name = 'NotFoundError';
  }
}
