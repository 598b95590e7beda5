import type { AuthMode } from '../auth/auth-mode';
import { requiredScope } from '../plugins/auth.plugin';

/**
 * The document's security, as plugins/auth.plugin.ts enforces it: with AUTH_MODE=tokens every /v1
 * operation needs a bearer token of the scope it names (and can get 401 and 403 for it), other
 * paths stay open. In single-user mode nothing checks credentials, so no scheme is declared and
 * `security: []` says so, rather than sending clients after tokens that nobody reads.
 */

export const BEARER_SCHEME = 'bearerToken';

export function securitySchemes(mode: AuthMode): Record<string, object> | undefined {
  if (mode === 'none') return undefined;
  return {
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      description:
        'An API token, created on the server with `resnet-lab token create --scope read|submit|admin`. ' +
        'Scopes: read < submit < admin; each operation lists the one it needs.',
    },
  };
}

/** The root `security`: none needed in single-user mode; per operation with tokens. */
export function rootSecurity(mode: AuthMode): Record<string, string[]>[] | undefined {
  return mode === 'none' ? [] : undefined;
}

/** An operation's `security` and the statuses it can get from the token check. */
export function operationSecurity(
  mode: AuthMode,
  method: string,
  path: string,
): { security?: Record<string, string[]>[]; statuses: string[] } {
  if (mode === 'none') return { statuses: [] };
  if (!path.startsWith('/v1/')) return { security: [], statuses: [] };
  return { security: [{ [BEARER_SCHEME]: [requiredScope(method.toUpperCase(), path)] }], statuses: ['401', '403'] };
}
