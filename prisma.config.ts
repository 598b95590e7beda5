// Prisma CLI configuration. `engine: 'js'` selects Prisma's WebAssembly schema engine, which runs
// offline (the native one is downloaded on first use); it is what `prisma migrate diff` uses to
// write new migrations here. Applying migrations is done by packages/db's migrator (offline) or by
// `prisma migrate deploy` where the native engine is available.
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/resnet_lab' }),
} as Parameters<typeof defineConfig>[0]);
