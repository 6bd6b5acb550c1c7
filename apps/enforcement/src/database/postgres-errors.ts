import { QueryFailedError } from 'typeorm';

/** True when `error` is Postgres refusing a row because of the named unique index. */
export function isUniqueViolation(error: unknown, index: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === index;
}
