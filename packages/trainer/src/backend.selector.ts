import * as tf from '@tensorflow/tfjs';
import type * as OnednnEngineModule from '@resnet-lab/engine-onednn';
import { BACKEND_NAMES, type BackendName } from '@resnet-lab/spec';
import { TrainingError } from './training.errors';

/** Fastest first, as docs/engine.md orders them. */
export const BACKEND_CANDIDATES = BACKEND_NAMES;
export type { BackendName };

export interface BackendSelection {
  /** The candidate that loaded; recorded on the experiment. */
  name: BackendName;
  /** The tfjs backend now active (tfjs-node and tfjs-node-gpu both register 'tensorflow'). */
  tfBackend: string;
  /** Why this one: forced by preference, or the first that loaded. */
  reason: string;
  /** Every candidate tried before it, with why it was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** What the oneDNN engine offers beyond kernels, when it was selected. */
  engine?: OnednnEngineExtras;
  /**
   * What bit-exact results depend on besides the backend's name (for onednn: the oneDNN version,
   * the instruction set its JIT kernels use and the thread count); recorded in checkpoints.
   */
  numerics: string;
  /** The native engine's OpenMP threads (recorded in checkpoints); absent on other backends. */
  threads?: number;
}

/** The parts of @resnet-lab/engine-onednn the trainer uses beyond its kernels. */
export interface OnednnEngineExtras {
  /** The fused in-place SGD update (same rule as SgdMomentumOptimizer's tf ops). */
  sgdMomentumUpdate: typeof OnednnEngineModule.sgdMomentumUpdate;
  /** Batch-norm layers whose training pass is one native kernel each way. */
  batchNormLayer: typeof OnednnEngineModule.batchNormalization;
  /** The precision convolutions compute in (training.precision); throws where bf16 is not native. */
  setConvPrecision: typeof OnednnEngineModule.setConvPrecision;
}

/** What the trainer takes from the engine module (tests substitute it). */
export type OnednnEngine = Pick<
  typeof OnednnEngineModule,
  'registerOnednnBackend' | 'onednnInfo' | 'sgdMomentumUpdate' | 'batchNormalization' | 'setConvPrecision'
>;

export interface BackendSelectorDeps {
  /** Loads one of the optional tfjs native packages by name; tests substitute absent or failing ones. */
  importModule: (specifier: string) => Promise<unknown>;
  /** Loads the oneDNN engine (a workspace package; its addon may be unbuilt, which it reports). */
  loadEngine: () => Promise<OnednnEngine>;
  /** Activates a registered tfjs backend; resolves false when it fails to initialise. */
  setBackend: (name: string) => Promise<boolean>;
  /** Whether a tfjs backend of that name is registered with our copy of tfjs-core. */
  isRegistered: (name: string) => boolean;
}

// Variables, so that TypeScript does not require the optional packages: they download
// libtensorflow at install, which fails offline, and are then absent.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';

const defaultDeps: BackendSelectorDeps = {
  importModule: (specifier) => import(/* @vite-ignore */ specifier),
  // Loaded only when tried: importing it has no side effects, but it pulls in tfjs' cpu backend.
  loadEngine: () => import('@resnet-lab/engine-onednn'),
  setBackend: (name) => tf.setBackend(name),
  isRegistered: (name) => tf.findBackendFactory(name) != null,
};

/**
 * Picks the compute backend. `preference` is a candidate name or 'auto'/undefined; the worker reads
 * TRAINER_BACKEND in its env parser and passes it here (the trainer never reads process.env). A
 * forced backend that cannot load is an error (retryable: false) rather than a silent fallback:
 * results from different backends must never be compared unknowingly.
 */
export async function selectBackend(
  preference?: string,
  deps: Partial<BackendSelectorDeps> = {},
): Promise<BackendSelection> {
  const d = { ...defaultDeps, ...deps };
  const wanted = preference === undefined || preference === '' || preference === 'auto' ? null : preference;
  if (wanted !== null && !(BACKEND_CANDIDATES as readonly string[]).includes(wanted)) {
    throw new TrainingError(`unknown backend "${wanted}"; expected one of auto, ${BACKEND_CANDIDATES.join(', ')}`, {
      retryable: false,
    });
  }
  const candidates = wanted === null ? BACKEND_CANDIDATES : ([wanted] as BackendName[]);
  const skipped: BackendSelection['skipped'] = [];
  for (const name of candidates) {
    const outcome = await tryCandidate(name, d);
    if (outcome.ok) {
      const reason =
        wanted !== null
          ? `requested by preference "${wanted}"`
          : skipped.length === 0
            ? 'first choice'
            : `fallback: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`;
      return {
        name,
        tfBackend: outcome.tfBackend,
        reason: outcome.detail ? `${reason} (${outcome.detail})` : reason,
        numerics: outcome.detail ? `${name}: ${outcome.detail}` : name,
        skipped,
        ...(outcome.engine ? { engine: outcome.engine } : {}),
        ...(outcome.threads ? { threads: outcome.threads } : {}),
      };
    }
    skipped.push({ name, reason: outcome.reason });
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new TrainingError(
    wanted !== null
      ? `backend "${wanted}" was requested but is unavailable: ${why}`
      : `no backend could be loaded: ${why}`,
    { retryable: false },
  );
}

type Outcome =
  | { ok: true; tfBackend: string; detail?: string; engine?: OnednnEngineExtras; threads?: number }
  | { ok: false; reason: string };

async function tryCandidate(name: BackendName, d: BackendSelectorDeps): Promise<Outcome> {
  try {
    switch (name) {
      case 'tfjs-node-gpu':
      case 'tfjs-node': {
        await d.importModule(name === 'tfjs-node-gpu' ? TFJS_NODE_GPU : TFJS_NODE);
        // A second copy of tfjs-core (version skew) would register 'tensorflow' somewhere we never see.
        if (!d.isRegistered('tensorflow')) {
          return { ok: false, reason: 'loaded, but registered its backend with a different @tensorflow/tfjs-core' };
        }
        return (await d.setBackend('tensorflow'))
          ? { ok: true, tfBackend: 'tensorflow' }
          : { ok: false, reason: 'the tensorflow backend failed to initialise' };
      }
      case 'onednn': {
        const engine = await d.loadEngine();
        const registered = engine.registerOnednnBackend();
        if (!registered.ok) return { ok: false, reason: registered.reason };
        if (!(await d.setBackend('onednn'))) return { ok: false, reason: 'the onednn backend failed to initialise' };
        const info = engine.onednnInfo();
        return {
          ok: true,
          tfBackend: 'onednn',
          ...(info
            ? { detail: `oneDNN ${info.version}, ${info.isa}, ${info.threads} threads`, threads: info.threads }
            : {}),
          engine: {
            sgdMomentumUpdate: engine.sgdMomentumUpdate,
            batchNormLayer: engine.batchNormalization,
            setConvPrecision: engine.setConvPrecision,
          },
        };
      }
      case 'cpu':
        return (await d.setBackend('cpu'))
          ? { ok: true, tfBackend: 'cpu' }
          : { ok: false, reason: 'the cpu backend failed to initialise' };
    }
  } catch (err) {
    return { ok: false, reason: describeImportError(err) };
  }
}

function describeImportError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Failed to load url/i.test(e?.message ?? '')
  ) {
    return 'not installed';
  }
  return (e?.message ?? String(err)).split('\n')[0]!;
}
