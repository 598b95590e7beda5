import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type BackendSelectorDeps, type OnednnEngine } from './backend.selector';
import { TrainingError } from './training.errors';

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /x`), { code: 'ERR_MODULE_NOT_FOUND' });

/** A fake environment: which modules exist, which backends register and initialise. */
function env(modules: Record<string, () => unknown>, options: { registered?: string[]; failing?: string[] } = {}) {
  const activated: string[] = [];
  const load = async (s: string) => {
    const m = modules[s];
    if (!m) throw notFound(s);
    return m();
  };
  const deps: BackendSelectorDeps = {
    importModule: load,
    loadEngine: async () => (await load('@resnet-lab/engine-onednn')) as OnednnEngine,
    setBackend: async (name) => {
      if (options.failing?.includes(name)) return false;
      activated.push(name);
      return true;
    },
    isRegistered: (name) => options.registered?.includes(name) ?? false,
  };
  return { deps, activated };
}

describe('selectBackend', () => {
  it('falls through absent native packages and a missing engine to cpu, giving every reason', async () => {
    const { deps, activated } = env({});
    const s = await selectBackend(undefined, deps);
    expect(s.name).toBe('cpu');
    expect(activated).toEqual(['cpu']);
    expect(s.skipped).toEqual([
      { name: 'tfjs-node-gpu', reason: 'not installed' },
      { name: 'tfjs-node', reason: 'not installed' },
      { name: 'onednn', reason: 'not installed' },
    ]);
    expect(s.reason).toMatch(/^fallback: tfjs-node-gpu \(not installed\); tfjs-node \(not installed\); onednn/);
  });

  it('prefers tfjs-node-gpu when it loads', async () => {
    const { deps, activated } = env({ '@tensorflow/tfjs-node-gpu': () => ({}) }, { registered: ['tensorflow'] });
    const s = await selectBackend('auto', deps);
    expect([s.name, s.tfBackend, s.reason]).toEqual(['tfjs-node-gpu', 'tensorflow', 'first choice']);
    expect(activated).toEqual(['tensorflow']);
  });

  it('skips a native package that registered against another copy of tfjs-core', async () => {
    const { deps } = env({ '@tensorflow/tfjs-node': () => ({}) }, { registered: [] });
    const s = await selectBackend(undefined, deps);
    expect(s.skipped[1]).toEqual({
      name: 'tfjs-node',
      reason: expect.stringMatching(/different @tensorflow\/tfjs-core/),
    });
  });

  it('uses the oneDNN engine when it registers, and passes on its reason when it cannot', async () => {
    const sgdMomentumUpdate = (() => {}) as OnednnEngine['sgdMomentumUpdate'];
    const batchNormalization = (() => {}) as unknown as OnednnEngine['batchNormalization'];
    const setConvPrecision = (() => {}) as OnednnEngine['setConvPrecision'];
    const engine = (registered: ReturnType<OnednnEngine['registerOnednnBackend']>): OnednnEngine => ({
      registerOnednnBackend: () => registered,
      onednnInfo: () => ({ version: '2.6.3', isa: 'avx2', threads: 2, cachedWeights: 0 }),
      sgdMomentumUpdate,
      batchNormalization,
      setConvPrecision,
    });
    const ok = env({ '@resnet-lab/engine-onednn': () => engine({ ok: true }) });
    const selected = await selectBackend(undefined, ok.deps);
    expect(selected.name).toBe('onednn');
    expect(selected.reason).toMatch(/\(oneDNN 2\.6\.3, avx2, 2 threads\)$/);
    expect(selected.numerics).toBe('onednn: oneDNN 2.6.3, avx2, 2 threads');
    expect(selected.engine).toEqual({ sgdMomentumUpdate, batchNormLayer: batchNormalization, setConvPrecision });
    expect(ok.activated).toEqual(['onednn']);

    const refused = env({
      '@resnet-lab/engine-onednn': () => engine({ ok: false, reason: 'libdnnl.so.2 not found' }),
    });
    const s = await selectBackend(undefined, refused.deps);
    expect(s.name).toBe('cpu');
    expect(s.skipped[2]).toEqual({ name: 'onednn', reason: 'libdnnl.so.2 not found' });

    const throwing = env({
      '@resnet-lab/engine-onednn': () => {
        throw new Error('addon build/Release/engine.node: invalid ELF header');
      },
    });
    expect((await selectBackend(undefined, throwing.deps)).skipped[2]!.reason).toMatch(/invalid ELF header/);
  });

  it('honours a forced preference without trying the others', async () => {
    const { deps, activated } = env({ '@tensorflow/tfjs-node-gpu': () => ({}) }, { registered: ['tensorflow'] });
    const s = await selectBackend('cpu', deps);
    expect([s.name, s.reason, s.skipped]).toEqual(['cpu', 'requested by preference "cpu"', []]);
    expect(activated).toEqual(['cpu']);
  });

  it('fails clearly (not retryable) when the forced backend is unavailable, or unknown', async () => {
    const { deps } = env({});
    const forced = selectBackend('tfjs-node', deps);
    await expect(forced).rejects.toBeInstanceOf(TrainingError);
    await expect(selectBackend('tfjs-node', deps)).rejects.toThrow(
      'backend "tfjs-node" was requested but is unavailable: tfjs-node: not installed',
    );
    await expect(selectBackend('tfjs-node', deps)).rejects.toMatchObject({ retryable: false });
    await expect(selectBackend('webgpu', deps)).rejects.toThrow(
      /unknown backend "webgpu"; expected one of auto, tfjs-node-gpu/,
    );
  });

  it('fails when nothing initialises', async () => {
    const { deps } = env({}, { failing: ['cpu'] });
    await expect(selectBackend(undefined, deps)).rejects.toThrow(
      /no backend could be loaded: .*cpu: the cpu backend failed/,
    );
  });

  it('works against the real environment: tfjs-node absent here, cpu active', async () => {
    const s = await selectBackend();
    expect(['tfjs-node-gpu', 'tfjs-node', 'onednn', 'cpu']).toContain(s.name);
    expect(tf.getBackend()).toBe(s.tfBackend);
    // The optional tfjs native packages are not installed on these machines.
    expect(s.skipped.slice(0, 2).map((x) => x.reason)).toEqual(['not installed', 'not installed']);
  });
});
