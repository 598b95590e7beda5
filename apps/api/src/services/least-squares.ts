/**
 * Non-negative least squares for a handful of terms, by trying every subset of them: the
 * constrained optimum is the unconstrained optimum of some subset whose coefficients all come out
 * non-negative, so the best such subset is the answer. With three terms that is seven small solves,
 * simpler to read than an active-set method and exact.
 *
 * Residuals are relative (each row weighted by 1 / its target): the rows are run times that differ
 * a hundredfold, and an estimate should be as good for a short run as for a long one.
 */
export interface NonNegativeFit {
  /** One coefficient per term; 0 for the terms the chosen subset leaves out. */
  coefficients: number[];
  /** The terms the fit used. */
  used: boolean[];
  /** Root mean square of the relative residuals. */
  relativeError: number;
}

/**
 * Fits `targets[i] ≈ Σ_j rows[i][j] x c_j` with every c_j ≥ 0, using only the terms `allowed` marks,
 * and only subsets of at most `maxTerms` terms (the caller's rule for how many points each
 * coefficient needs). Null when no subset has a solution with non-negative coefficients.
 */
export function fitNonNegative(
  rows: number[][],
  targets: number[],
  allowed: boolean[],
  maxTerms: number,
  /** What each residual is relative to: the targets themselves unless they are a remainder of these. */
  relativeTo: number[] = targets,
): NonNegativeFit | null {
  const terms = allowed.length;
  let best: NonNegativeFit | null = null;
  for (let mask = 1; mask < 1 << terms; mask++) {
    const used = allowed.map((ok, j) => ok && (mask & (1 << j)) !== 0);
    const count = used.filter(Boolean).length;
    // A mask naming a term that is not allowed is the same as a smaller one: skip the repeat.
    if (count !== popcount(mask) || count > maxTerms) continue;
    const columns = used.flatMap((u, j) => (u ? [j] : []));
    const solved = weightedSolve(
      rows.map((r) => columns.map((j) => r[j]!)),
      targets,
      relativeTo,
    );
    if (!solved || solved.some((c) => !(c >= 0))) continue;
    const coefficients = new Array<number>(terms).fill(0);
    columns.forEach((j, k) => (coefficients[j] = solved[k]!));
    const relativeError = Math.sqrt(
      rows.reduce((sum, r, i) => {
        const predicted = r.reduce((s, v, j) => s + v * coefficients[j]!, 0);
        return sum + ((predicted - targets[i]!) / relativeTo[i]!) ** 2;
      }, 0) / rows.length,
    );
    if (!best || relativeError < best.relativeError) best = { coefficients, used, relativeError };
  }
  return best;
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m > 0; m >>= 1) n += m & 1;
  return n;
}

/**
 * The weighted normal equations (row i weighted by 1 / relativeTo[i]²), each column scaled to unit
 * size first so that terms of very different magnitudes (seconds per image next to multiply-adds)
 * stay well conditioned. Null when they are singular (a zero column, or two proportional ones).
 */
function weightedSolve(rows: number[][], targets: number[], relativeTo: number[]): number[] | null {
  const n = rows[0]?.length ?? 0;
  if (n === 0 || rows.length < n) return null;
  const weighted = rows.map((r, i) => r.map((v) => v / relativeTo[i]!));
  const target = targets.map((t, i) => t / relativeTo[i]!);
  const scale = Array.from({ length: n }, (_, j) => Math.max(...weighted.map((r) => Math.abs(r[j]!))) || 1);
  const a = weighted.map((r) => r.map((v, j) => v / scale[j]!));
  // Normal equations: (AᵀA) x = Aᵀb.
  const m = Array.from({ length: n }, (_, p) => [
    ...Array.from({ length: n }, (_, q) => a.reduce((s, r) => s + r[p]! * r[q]!, 0)),
    a.reduce((s, r, i) => s + r[p]! * target[i]!, 0),
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12 * rows.length) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x.map((v, j) => v / scale[j]!);
}
