// Structured logs (pino). One root logger per process, a child per component; never synchronous on hot
// paths (pino writes to stdout asynchronously) and never secrets (redacted below as a safety net).
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['clientSecret', '*.clientSecret', 'req.headers.authorization', 'authorization', 'password', '*.password'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
