// `resnet-lab`: submit grids and experiments, follow them, compare and export their results.
import { parseArgs } from 'node:util';
import { EnvError } from '@resnet-lab/config';
import { ApiClient } from './api-client';
import { runCommand, COMMANDS, type CommandName } from './commands';
import { loadCliEnv } from './env';
import { CliError, EXIT } from './exit-codes';
import { runTokenCommand } from './token-command';

const HELP = `resnet-lab <command> [options]

Commands:
  submit <grid.yaml|grid.json|experiment.json>   submit a grid (a file with axes) or one experiment
  submit --preset NAME [--scale S]               submit a preset grid (see: resnet-lab presets)
  submit --preset NAME --budget 8h               ...at the largest scale estimated to fit 8 h
                                                 on the workers active now (s, m, h or d)
  presets                                        list the presets
  status [ID]                                    a grid or experiment; without ID, recent experiments
  watch ID                                       live progress until the grid or experiment finishes
  compare GRID_ID | --ids ID,ID,...              results side by side
  export GRID_ID [--format csv|json] [--out FILE]
  report GRID_ID --out FILE.md                   the grid's results as Markdown with its figure
                                                 (error curves, final errors, degradation verdict)
  cancel ID                                      cancel a grid or an experiment
  token create --scope read|submit|admin [--name N] [--project P]
                   on the server (DATABASE_URL): a new API token of project P
                   (default "default"), shown once; it sees only P's grids and experiments
  token list | token revoke ID                        list or revoke tokens

Options:
  --api URL        API base URL (env RESNET_LAB_API, default http://127.0.0.1:3000)
  --token TOKEN    bearer token (env RESNET_LAB_TOKEN)
  --dry-run        submit: expand and cost the grid without running it
  --force          submit: retrain even where an identical experiment already succeeded
  --priority N     submit: queue priority of the grid, 0..1000, higher runs sooner (default 500)
  --json           print JSON instead of tables
  --interval S     watch: seconds between polls (default 2)

Exit codes: 0 ok; 1 the watched run failed or was cancelled; 2 bad usage or input file;
3 the API rejected the request (4xx); 4 the API is unreachable or failed (5xx).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      preset: { type: 'string' },
      scale: { type: 'string' },
      budget: { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      priority: { type: 'string' },
      ids: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      interval: { type: 'string' },
      scope: { type: 'string' },
      name: { type: 'string' },
      project: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  if (command === 'token') {
    try {
      return await runTokenCommand(args, values, process.stdout);
    } catch (error) {
      if (error instanceof EnvError) throw new CliError(error.message, EXIT.USAGE);
      throw error;
    }
  }
  if (!(command in COMMANDS)) throw new CliError(`unknown command "${command}"\n\n${HELP}`, EXIT.USAGE);
  let env: ReturnType<typeof loadCliEnv>;
  try {
    env = loadCliEnv();
  } catch (error) {
    if (error instanceof EnvError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  const token = values.token ?? env.RESNET_LAB_TOKEN;
  const api = new ApiClient({ baseUrl: values.api ?? env.RESNET_LAB_API, ...(token ? { token } : {}) });
  return runCommand(command as CommandName, { api, args, options: values, out: process.stdout });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CliError) {
      console.error(`resnet-lab: ${error.message}`);
      process.exit(error.exitCode);
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`resnet-lab: ${(error as Error).message} (see resnet-lab --help)`);
      process.exit(EXIT.USAGE);
    }
    console.error(error);
    process.exit(EXIT.UNAVAILABLE);
  },
);
