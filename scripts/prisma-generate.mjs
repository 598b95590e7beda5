// Generates the Prisma client offline. The Prisma CLI wants its schema-engine binary and query-engine library even for
// `generate` (which does not use it) and downloads it on first use; pointing the variable at any
// existing file stops the download. Users who have the real engine keep their own setting.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const prismaCli = `${root}node_modules/prisma/build/index.js`;
if (!existsSync(prismaCli)) {
  console.log('prisma-generate: prisma CLI not installed yet, skipping');
  process.exit(0);
}
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_QUERY_ENGINE_LIBRARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';
const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', `${root}prisma/schema.prisma`], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
