// `resnet-lab token create|list|revoke`: run on the server by an operator, against the database
// (DATABASE_URL), not over the API: the first admin token has to come from somewhere, and a
// secret printed here never crosses the network.
import { createDb, ensureDatabase, migrate, repositories } from '@resnet-lab/db';
import { databaseEnv, parseEnv } from '@resnet-lab/config';
import { DEFAULT_PROJECT, ProjectName, TOKEN_SCOPES, TokenScope } from '@resnet-lab/spec';
import { CliError, EXIT } from './exit-codes';
import { table } from './render';

export const TOKEN_HELP = `resnet-lab token create --scope read|submit|admin [--name NAME] [--project PROJECT]
resnet-lab token list
resnet-lab token revoke ID
(run where the database is reachable: DATABASE_URL)`;

export async function runTokenCommand(
  args: string[],
  options: {
    scope?: string | undefined;
    name?: string | undefined;
    project?: string | undefined;
    json?: boolean | undefined;
  },
  out: NodeJS.WritableStream,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [action, id] = args;
  const { DATABASE_URL } = parseEnv(databaseEnv, env);
  // A fresh install may not have started the API (which migrates) yet.
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  const db = createDb(DATABASE_URL, { poolSize: 1 });
  const tokens = repositories(db).tokens;
  const print = (text: string) => out.write(`${text}\n`);
  try {
    switch (action) {
      case 'create': {
        const scope = TokenScope.safeParse(options.scope);
        if (!scope.success) {
          throw new CliError(`--scope must be one of ${TOKEN_SCOPES.join(', ')}\n\n${TOKEN_HELP}`, EXIT.USAGE);
        }
        const project = ProjectName.safeParse(options.project ?? DEFAULT_PROJECT);
        if (!project.success) {
          throw new CliError(`--project: ${project.error.issues[0]!.message}\n\n${TOKEN_HELP}`, EXIT.USAGE);
        }
        const name = options.name ?? `${scope.data}-token`;
        const { token, view } = await tokens.create(name, scope.data, project.data);
        if (options.json) print(JSON.stringify({ ...view, token }));
        else {
          print(token);
          print(
            `\ntoken ${view.id} (${view.name}, scope ${view.scope}, project ${view.project}); ` +
              'shown once, store it now.',
          );
          print('Use it as RESNET_LAB_TOKEN, or --token, or the header Authorization: Bearer <token>.');
        }
        return EXIT.OK;
      }
      case 'list': {
        const all = await tokens.list();
        if (options.json) print(JSON.stringify(all));
        else {
          print(
            table(
              ['id', 'name', 'scope', 'project', 'created', 'last used', 'revoked'],
              all.map((t) => [t.id, t.name, t.scope, t.project, t.createdAt, t.lastUsedAt ?? '', t.revokedAt ?? '']),
            ),
          );
        }
        return EXIT.OK;
      }
      case 'revoke': {
        if (!id || !/^[0-9a-f-]{36}$/i.test(id))
          throw new CliError(`revoke needs a token id\n\n${TOKEN_HELP}`, EXIT.USAGE);
        if (!(await tokens.revoke(id))) throw new CliError(`no token ${id}`, EXIT.REJECTED);
        print(`token ${id} revoked`);
        return EXIT.OK;
      }
      default:
        throw new CliError(`unknown token action "${action ?? ''}"\n\n${TOKEN_HELP}`, EXIT.USAGE);
    }
  } finally {
    await db.$disconnect();
  }
}
