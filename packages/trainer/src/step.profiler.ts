/**
 * The phases of one training step, in the order the epoch loop runs them. `forward` includes the
 * loss (both run inside the gradient tape); `readback` copies the loss and logits out of the
 * backend; `yield` is the pause that lets messages (a cancel) in between steps.
 */
export const STEP_PHASES = [
  'yield',
  'batch',
  'upload',
  'forward',
  'backward',
  'optimizer',
  'readback',
  'metrics',
  'progress',
] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

/**
 * Where a training loop's wall time goes: each `mark` charges the time since the previous mark to
 * one phase. Only benchmarks pass one to the trainer; without it the loop marks nothing. On the
 * synchronous backends (onednn, cpu) every kernel has finished when its call returns, so the
 * phases are exact; on an asynchronous backend the time shows up at the next readback.
 */
export class StepProfiler {
  private last = performance.now();
  private readonly totals = new Map<StepPhase, number>();
  steps = 0;
  images = 0;

  /** Starts timing (an epoch's loop): time since the previous mark is not charged to anything. */
  begin(): void {
    this.last = performance.now();
  }

  /** Forgets everything so far (the warm-up steps) and starts timing from now. */
  reset(): void {
    this.totals.clear();
    this.steps = 0;
    this.images = 0;
    this.begin();
  }

  mark(phase: StepPhase): void {
    const now = performance.now();
    this.totals.set(phase, (this.totals.get(phase) ?? 0) + now - this.last);
    this.last = now;
  }

  endStep(images: number): void {
    this.steps++;
    this.images += images;
  }

  /** Milliseconds per step for each phase, and their sum. */
  perStep(): { phases: Record<StepPhase, number>; totalMs: number } {
    const phases = Object.fromEntries(
      STEP_PHASES.map((p) => [p, (this.totals.get(p) ?? 0) / Math.max(1, this.steps)]),
    ) as Record<StepPhase, number>;
    return { phases, totalMs: Object.values(phases).reduce((a, b) => a + b, 0) };
  }
}
