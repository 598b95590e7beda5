import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** The one logger factory: every process creates one root logger and passes children down. */
export function createLogger(options: { name: string; level?: string } & LoggerOptions): Logger {
  return pino({
    base: { service: options.name },
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization'], remove: true },
    ...options,
  });
}
