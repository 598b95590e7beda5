import type { Lease, Repositories } from '@resnet-lab/db';
import type { Logger } from '@resnet-lab/logger';
import { ashaRungs, decideStopping, EarlyStoppingSpec } from '@resnet-lab/spec';

/** Called after each recorded epoch; resolves true when the grid's rule stops the experiment there. */
export type EarlyStopCheck = (epoch: number) => Promise<boolean>;

/**
 * The early-stopping check of one attempt, or null when the experiment's grid has no rule. Every
 * decision is stored on the experiment (fenced by the lease) and logged, with the values it used.
 */
export async function earlyStopCheck(
  repos: Repositories,
  lease: Lease,
  epochs: number,
  logger: Logger,
): Promise<EarlyStopCheck | null> {
  const stored = await repos.stopping.ruleFor(lease.experimentId);
  if (!stored) return null;
  const parsed = EarlyStoppingSpec.safeParse(stored);
  if (!parsed.success) {
    logger.warn({ rule: stored }, 'early-stopping rule of the grid is not valid; every epoch runs');
    return null;
  }
  const rule = parsed.data;
  const dot = rule.metric.indexOf('.');
  const split = rule.metric.slice(0, dot);
  const name = rule.metric.slice(dot + 1);
  const rungs = new Set(ashaRungs(rule, epochs));

  return async (epoch) => {
    // Cheap checks first: most epochs are not decision points.
    if (epoch >= epochs || epoch < rule.gracePeriod || (rule.type === 'asha' && !rungs.has(epoch))) return false;
    const [history, others] = await Promise.all([
      repos.stopping.history(lease.experimentId, split, name, epoch),
      repos.stopping.peerValues(lease.experimentId, { epoch, split, name, finishedOnly: rule.type === 'median' }),
    ]);
    const decision = decideStopping(rule, { epoch, epochs, history, others });
    if (!decision) return false;
    await repos.stopping.record(lease, decision);
    logger.info({ decision }, decision.action === 'stop' ? 'early stopping: stopped' : 'early stopping: continues');
    return decision.action === 'stop';
  };
}
