/** The Postgres server every service uses unless `DATABASE_URL` names another one. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/attest';

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The URL with its password masked, fit for a log line or an error message. */
export function redactDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
