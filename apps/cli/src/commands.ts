import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  FINAL_EXPERIMENT_STATUSES,
  MAX_DRY_RUN_POINTS,
  type CompareResponse,
  type DryRunResponse,
  type ExperimentPage,
  type ExperimentView,
  type GridSubmitResponse,
  type GridSummary,
  type GridView,
  type PresetInfo,
} from '@resnet-lab/spec';
import type { ApiClient } from './api-client';
import { CliError, EXIT } from './exit-codes';
import { bar, num, table } from './render';
import { writeGridReport } from './report/report-command';

// Response shapes come from the API's own schemas (@resnet-lab/spec), never written twice.
type DryRun = z.infer<typeof DryRunResponse>;
type Compared = z.infer<typeof CompareResponse>;
type Submitted = z.infer<typeof GridSubmitResponse>;
type Page = z.infer<typeof ExperimentPage>;

export interface CommandContext {
  api: ApiClient;
  args: string[];
  options: Record<string, string | boolean | undefined>;
  out: NodeJS.WritableStream;
}

type Command = (ctx: CommandContext) => Promise<number>;

const print = (ctx: CommandContext, text: string) => ctx.out.write(`${text}\n`);
const asJson = (ctx: CommandContext, value: unknown) => print(ctx, JSON.stringify(value, null, 2));

function requireArg(ctx: CommandContext, what: string): string {
  const value = ctx.args[0];
  if (!value) throw new CliError(`missing ${what} (see resnet-lab --help)`, EXIT.USAGE);
  return value;
}

/** Whether an id names a grid or an experiment: asks the API (ids are UUIDs either way). */
async function resolveKind(ctx: CommandContext, id: string): Promise<'grid' | 'experiment'> {
  const grid = await ctx.api.raw(`/v1/grids/${encodeURIComponent(id)}`);
  if (grid.ok) return 'grid';
  const experiment = await ctx.api.raw(`/v1/experiments/${encodeURIComponent(id)}`);
  if (experiment.ok) return 'experiment';
  if (grid.status >= 500 || experiment.status >= 500)
    throw new CliError(`the API failed (${grid.status}/${experiment.status})`, EXIT.UNAVAILABLE);
  throw new CliError(`no grid or experiment with id ${id}`, EXIT.REJECTED);
}

async function readSpecFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.USAGE);
  }
  try {
    const value: unknown = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('expected an object at the top level');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      `${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      EXIT.USAGE,
    );
  }
}

const isGridBody = (body: Record<string, unknown>) =>
  ['axes', 'zip', 'base', 'exclude', 'sample', 'preset'].some((key) => key in body);

const submit: Command = async (ctx) => {
  const preset = ctx.options.preset as string | undefined;
  let body: Record<string, unknown>;
  if (preset) {
    body = { preset };
    if (ctx.options.scale !== undefined) {
      const scale = Number(ctx.options.scale);
      if (!Number.isFinite(scale))
        throw new CliError(`--scale must be a number, got "${ctx.options.scale}"`, EXIT.USAGE);
      body.scale = scale;
    }
    if (ctx.options.budget !== undefined) body.budget = parseDuration(String(ctx.options.budget), '--budget');
  } else {
    if (ctx.options.budget !== undefined) throw new CliError('--budget needs --preset: it picks a scale', EXIT.USAGE);
    body = await readSpecFile(requireArg(ctx, 'grid or experiment file'));
  }
  if (!isGridBody(body)) {
    if (ctx.options['dry-run']) {
      body = { base: body };
    } else {
      const experiment = await ctx.api.post<ExperimentView>('/v1/experiments', body);
      if (ctx.options.json) asJson(ctx, experiment);
      else print(ctx, `experiment ${experiment.id} ${experiment.status}\n  watch: resnet-lab watch ${experiment.id}`);
      return EXIT.OK;
    }
  }
  if (ctx.options.force) body.force = true;
  if (ctx.options.priority !== undefined) body.priority = Number(ctx.options.priority);

  if (ctx.options['dry-run']) {
    // The API lists at most 1,000 points of a dry run; the totals below cover all of them.
    const dry = await ctx.api.post<DryRun>(`/v1/grids?dryRun=true&points=${MAX_DRY_RUN_POINTS}`, body);
    if (ctx.options.json) {
      asJson(ctx, dry);
      return EXIT.OK;
    }
    print(
      ctx,
      table(
        ['#', 'point', 'params', 'MFLOPs', 'est. s', 'reuses'],
        dry.points.map((p) => [
          p.index,
          formatValues(p.values),
          p.params,
          num(p.flops === null ? null : p.flops / 1e6),
          num(p.estimatedSeconds, 3),
          p.reuses ?? '',
        ]),
      ),
    );
    const unlisted = dry.experiments - dry.points.length;
    if (unlisted > 0) print(ctx, `…and ${unlisted} more points (not listed)`);
    print(
      ctx,
      `\n${dry.experiments} experiments (${dry.reusable} reusable, ` +
        `${dry.duplicates} duplicates collapsed, ${dry.excluded} excluded); ` +
        `estimated ${formatDuration(dry.estimate.totalSeconds)} on ${dry.estimate.backend} (${dry.estimate.source})`,
    );
    if (dry.budget) print(ctx, budgetLine(dry.budget));
    return EXIT.OK;
  }

  const result = await ctx.api.post<Submitted>('/v1/grids', body);
  if (ctx.options.json) asJson(ctx, result);
  else
    print(
      ctx,
      `grid ${result.grid.id}: ${result.created} experiments queued, ` +
        `${result.reused} reused, ${result.duplicates} duplicates collapsed\n` +
        (result.budget ? `${budgetLine(result.budget)}\n` : '') +
        `  watch: resnet-lab watch ${result.grid.id}`,
    );
  return EXIT.OK;
};

const presets: Command = async (ctx) => {
  const list = await ctx.api.get<PresetInfo[]>('/v1/presets');
  if (ctx.options.json) asJson(ctx, list);
  else
    print(
      ctx,
      table(
        ['preset', 'description'],
        list.map((p) => [p.name, p.description]),
      ),
    );
  return EXIT.OK;
};

const status: Command = async (ctx) => {
  const id = ctx.args[0];
  if (!id) {
    const page = await ctx.api.get<Page>('/v1/experiments?limit=20');
    if (ctx.options.json) asJson(ctx, page.items);
    else print(ctx, table(['experiment', 'status', 'name', 'epoch', 'backend'], page.items.map(experimentRow)));
    return EXIT.OK;
  }
  if ((await resolveKind(ctx, id)) === 'grid') {
    const grid = await ctx.api.get<GridView>(`/v1/grids/${id}`);
    if (ctx.options.json) asJson(ctx, grid);
    else print(ctx, gridLine(grid));
    return EXIT.OK;
  }
  const experiment = await ctx.api.get<ExperimentView>(`/v1/experiments/${id}`);
  if (ctx.options.json) asJson(ctx, experiment);
  else
    print(
      ctx,
      table(['experiment', 'status', 'name', 'epoch', 'backend'], [experimentRow(experiment)]) +
        (experiment.error ? `\nerror: ${experiment.error}` : ''),
    );
  return EXIT.OK;
};

const watch: Command = async (ctx) => {
  const id = requireArg(ctx, 'grid or experiment id');
  const kind = await resolveKind(ctx, id);
  const intervalMs = Math.max(0.2, Number(ctx.options.interval ?? 2)) * 1000;
  const live = (ctx.out as NodeJS.WriteStream).isTTY === true;
  for (;;) {
    if (kind === 'grid') {
      const grid = await ctx.api.get<GridView>(`/v1/grids/${id}`);
      print(ctx, `${live ? '\r\x1b[2K' : ''}${gridLine(grid)}`);
      if (grid.done || grid.status === 'cancelled') {
        return grid.counts.failed > 0 || grid.counts.cancelled > 0 ? EXIT.RUN_FAILED : EXIT.OK;
      }
    } else {
      const e = await ctx.api.get<ExperimentView>(`/v1/experiments/${id}`);
      const epochs = e.progress?.epochs ?? e.spec.training.epochs;
      const within = e.progress?.step && e.progress.stepsPerEpoch ? e.progress.step / e.progress.stepsPerEpoch : 0;
      const done = e.status === 'succeeded' ? 1 : ((e.progress?.epoch ?? 0) - (within ? 1 : 0) + within) / epochs;
      print(
        ctx,
        `${e.id} ${e.status.padEnd(9)} ${bar(done)} epoch ${e.progress?.epoch ?? 0}/${epochs}` +
          (e.progress?.loss !== undefined ? ` loss ${num(e.progress.loss)}` : ''),
      );
      if ((FINAL_EXPERIMENT_STATUSES as readonly string[]).includes(e.status)) {
        if (e.error) print(ctx, `error: ${e.error}`);
        // Stopped by its grid's early-stopping rule: a decision, not a failure.
        return e.status === 'succeeded' || e.status === 'stopped' ? EXIT.OK : EXIT.RUN_FAILED;
      }
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

const compare: Command = async (ctx) => {
  if (ctx.options.ids) {
    const result = await ctx.api.get<Compared>(`/v1/compare?ids=${encodeURIComponent(String(ctx.options.ids))}`);
    if (ctx.options.json) {
      asJson(ctx, result);
      return EXIT.OK;
    }
    const fields = result.differences.map((d) => d.field);
    print(
      ctx,
      table(
        ['experiment', ...fields, 'status', 'final val err', 'best val err', 'final train loss'],
        result.experiments.map((e, i) => [
          e.experiment.id.slice(0, 8),
          ...result.differences.map((d) => JSON.stringify(d.values[i])),
          e.experiment.status,
          num(e.final['validation.error']),
          num(e.best['validation.error']),
          num(e.final['train.loss']),
        ]),
      ),
    );
    return EXIT.OK;
  }
  const id = requireArg(ctx, 'grid id (or --ids ID,ID)');
  const summary = await ctx.api.get<GridSummary>(`/v1/grids/${id}/summary`);
  if (ctx.options.json) {
    asJson(ctx, summary);
    return EXIT.OK;
  }
  const stat = (s?: { mean: number; std: number; n: number }) => (s ? `${num(s.mean)} ± ${num(s.std, 2)}` : '-');
  print(
    ctx,
    table(
      ['group', 'n', 'done', 'val error', 'train error', 'train loss'],
      summary.groups.map((g) => [
        formatValues(g.values),
        g.n,
        g.succeeded,
        stat(g.final['validation.error']),
        stat(g.final['train.error']),
        stat(g.final['train.loss']),
      ]),
    ),
  );
  const d = summary.degradation;
  if (d.plainDegrades !== null || d.residualImproves !== null) {
    print(
      ctx,
      `\ndegradation: deeper plain nets ${verdict(d.plainDegrades, 'trained worse', 'did not train worse')}; ` +
        `deeper residual nets ${verdict(d.residualImproves, 'trained better', 'did not train better')}` +
        `${d.reproduced ? " — the paper's finding is reproduced" : ''}`,
    );
  }
  return EXIT.OK;
};

const exportCommand: Command = async (ctx) => {
  const id = requireArg(ctx, 'grid id');
  const format = String(ctx.options.format ?? 'csv');
  if (format !== 'csv' && format !== 'json')
    throw new CliError(`--format must be csv or json, got "${format}"`, EXIT.USAGE);
  const res = await ctx.api.raw(`/v1/grids/${id}/export?format=${format}`);
  const text = await res.text();
  if (!res.ok)
    throw new CliError(
      `API answered ${res.status}: ${text.slice(0, 500)}`,
      res.status >= 500 ? EXIT.UNAVAILABLE : EXIT.REJECTED,
    );
  if (ctx.options.out) {
    await writeFile(String(ctx.options.out), text);
    print(ctx, `wrote ${ctx.options.out}`);
  } else {
    ctx.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return EXIT.OK;
};

const report: Command = async (ctx) => {
  const id = requireArg(ctx, 'grid id');
  if (!ctx.options.out) throw new CliError('report needs --out FILE.md (the figure goes beside it)', EXIT.USAGE);
  const written = await writeGridReport(ctx.api, id, String(ctx.options.out), [
    `Written by \`resnet-lab report ${id}\` on ${new Date().toISOString().slice(0, 10)}.`,
  ]);
  print(ctx, `wrote ${written.markdown} and ${written.figure}`);
  return EXIT.OK;
};

const cancel: Command = async (ctx) => {
  const id = requireArg(ctx, 'grid or experiment id');
  const kind = await resolveKind(ctx, id);
  const result = await ctx.api.post<GridView | ExperimentView>(
    `/v1/${kind === 'grid' ? 'grids' : 'experiments'}/${id}/cancel`,
  );
  if (ctx.options.json) asJson(ctx, result);
  else print(ctx, `${kind} ${id}: ${result.status}`);
  return EXIT.OK;
};

export const COMMANDS = {
  submit,
  presets,
  status,
  watch,
  compare,
  export: exportCommand,
  report,
  cancel,
} satisfies Record<string, Command>;
export type CommandName = keyof typeof COMMANDS;

export function runCommand(name: CommandName, ctx: CommandContext): Promise<number> {
  return COMMANDS[name](ctx);
}

function experimentRow(e: ExperimentView): (string | number)[] {
  const epochs = e.progress?.epochs ?? e.spec.training.epochs;
  return [
    e.id,
    e.status,
    e.spec.name ?? describeArch(e.spec.architecture),
    `${e.progress?.epoch ?? 0}/${epochs}`,
    e.backend ?? '-',
  ];
}

function gridLine(g: GridView): string {
  const c = g.counts;
  return (
    `${g.id} ${g.status} ${bar(g.progress)} ${c.succeeded}/${c.total} succeeded, ${c.running} running, ` +
    `${c.queued} queued, ${c.failed} failed, ${c.cancelled} cancelled` +
    (c.stopped > 0 ? `, ${c.stopped} stopped early` : '') +
    ` (${c.reused} reused)` +
    (g.etaSeconds !== null ? `, about ${formatDuration(g.etaSeconds)} left` : '')
  );
}

function describeArch(a: Record<string, unknown>): string {
  return `${String(a.family)}-${String(a.depth)}`;
}

function formatValues(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(
    ([k, v]) => `${k.split('.').pop()}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return parts.join(' ') || '(base)';
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "45m", "8h", "1.5d" → seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's']! : NaN;
  if (!(seconds > 0)) throw new CliError(`${option} must be a duration such as 45m or 8h, got "${text}"`, EXIT.USAGE);
  return seconds;
}

function budgetLine(b: NonNullable<DryRun['budget']>): string {
  return (
    `budget ${formatDuration(b.budgetSeconds)}: picked scale ${b.scale}, estimated ` +
    `${formatDuration(b.wallSeconds)} on ${b.slots} slot(s) ` +
    `(${formatDuration(b.computeSeconds)} of compute on ${b.backend})`
  );
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function verdict(value: boolean | null, yes: string, no: string): string {
  return value === null ? 'could not be judged' : value ? yes : no;
}
