import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_PROJECT, type TokenScope, type TokenView } from '@resnet-lab/spec';
import type { Db } from '../client';

/** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const PREFIX = 'rlt_';
/** lastUsedAt is a hint for operators; refreshing it at most this often keeps reads read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface VerifiedToken {
  id: string;
  name: string;
  scope: TokenScope;
  /** The project whose grids and experiments it sees. */
  project: string;
}

type Row = {
  id: string;
  name: string;
  scope: string;
  project: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

const view = (row: Row): TokenView => ({
  id: row.id,
  name: row.name,
  scope: row.scope as TokenScope,
  project: row.project,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export function tokenRepository(db: Db) {
  return {
    /** A new token: 32 random bytes. The secret is in the answer and nowhere else. */
    async create(
      name: string,
      scope: TokenScope,
      project = DEFAULT_PROJECT,
    ): Promise<{ token: string; view: TokenView }> {
      const token = PREFIX + randomBytes(32).toString('base64url');
      const row = await db.apiToken.create({
        data: { id: randomUUID(), name, scope, project, tokenHash: hashToken(token) },
      });
      return { token, view: view(row) };
    },

    /** The token's holder and scope, or null when it is unknown or revoked. */
    async verify(token: string): Promise<VerifiedToken | null> {
      const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
      if (!row || row.revokedAt) return null;
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
      }
      return { id: row.id, name: row.name, scope: row.scope as TokenScope, project: row.project };
    },

    /** Every token, oldest first; of `project` only when given. */
    async list(project?: string): Promise<TokenView[]> {
      const where = project ? { project } : {};
      return (await db.apiToken.findMany({ where, orderBy: { createdAt: 'asc' } })).map(view);
    },

    /**
     * Revokes the token (of `project` only, when given); false when there is no such token.
     * Revoking twice keeps the first time.
     */
    async revoke(id: string, project?: string): Promise<boolean> {
      const inProject = project ? { project } : {};
      const { count } = await db.apiToken.updateMany({
        where: { id, revokedAt: null, ...inProject },
        data: { revokedAt: new Date() },
      });
      if (count > 0) return true;
      return (await db.apiToken.count({ where: { id, ...inProject } })) > 0;
    },
  };
}

export type TokenRepository = ReturnType<typeof tokenRepository>;
