// `npm run db:migrate`: creates the database if needed and applies pending migrations.
import { parseEnv, databaseEnv } from '@resnet-lab/config';
import { ensureDatabase, migrate } from './migrate';

const env = parseEnv(databaseEnv, process.env);
await ensureDatabase(env.DATABASE_URL);
const result = await migrate(env.DATABASE_URL, { log: (m) => console.log(m) });
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
