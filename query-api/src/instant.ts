// Times given in query strings. The `date-time` format (RFC 3339) still admits strings JavaScript cannot turn
// into an instant: a leap second ("23:59:60Z") or an RFC 9557 suffix ("...Z[Europe/Paris]"). Passed on, they
// became an Invalid Date in SQL or NaN in the series arithmetic (500s); here they are a 400 like any bad value.
import { badRequest } from '@payments/runtime/http';

export function parseInstant(value: string, where: string): Date {
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw badRequest(`${where} is not a time this API can read: use e.g. 2024-01-31T12:00:00Z`);
  return instant;
}
