import { z } from 'zod';

/** What a bearer token may do; each scope includes the ones before it. */
export const TOKEN_SCOPES = ['read', 'submit', 'admin'] as const;
export const TokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScope>;

/** Whether a token of scope `have` may do what needs `need`. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(have) >= TOKEN_SCOPES.indexOf(need);
}

/**
 * A project: the unit of visibility. A token belongs to one and sees only its grids and experiments;
 * the single-user mode (AUTH_MODE=none) submits to DEFAULT_PROJECT and sees every project.
 */
export const DEFAULT_PROJECT = 'default';
export const ProjectName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a project is 1-63 characters: a-z, 0-9, ".", "_", "-", not first');
export type ProjectName = z.infer<typeof ProjectName>;

/** A token as listed (never its secret). */
export const TokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: TokenScope,
  project: ProjectName,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;
