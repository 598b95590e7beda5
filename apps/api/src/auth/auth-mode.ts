/**
 * `tokens`: every /v1 request needs a bearer token. `none`: single-user mode, everyone is admin;
 * allowed only while the API listens on a loopback address, where only this machine's users can
 * reach it. Without AUTH_MODE, a loopback API runs single-user and any other needs tokens, so
 * binding to a public address can never leave the API open by accident.
 */
export type AuthMode = 'tokens' | 'none';

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

export const isLoopback = (host: string) => LOOPBACK.test(host);

export function resolveAuthMode(host: string, requested: AuthMode | undefined): AuthMode {
  const mode = requested ?? (isLoopback(host) ? 'none' : 'tokens');
  if (mode === 'none' && !isLoopback(host)) {
    throw new Error(
      `AUTH_MODE=none (single-user, no tokens) is only allowed when HOST is a loopback address, not ${host}; ` +
        'use AUTH_MODE=tokens and create tokens with `resnet-lab token create`',
    );
  }
  return mode;
}
