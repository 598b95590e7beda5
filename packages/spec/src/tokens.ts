import { z } from 'zod';

/** What a bearer token may do; each scope includes the ones before it. */
export const TOKEN_SCOPES = ['read', 'submit', 'admin'] as const;
export const TokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScope>;

/** Whether a token of scope `have` may do what needs `need`. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(have) >= TOKEN_SCOPES.indexOf(need);
}

/** A token as listed (never its secret). */
export const TokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: TokenScope,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;
