/** One answer of a service's HTTP API, as the tests read it. */
export interface HttpResult<T> {
  status: number;
  /** The parsed body when the answer is JSON (problem+json included), else null. */
  body: T;
  text: string;
  contentType: string | null;
  headers: Headers;
}

export interface AdminRequestOptions {
  body?: unknown;
  /** The bearer token; the client's admin token by default, none with null. */
  token?: string | null;
  /** More request headers. */
  headers?: Record<string, string>;
}

/**
 * Calls a service's admin API the way the integration specs do: JSON bodies in and out, the admin
 * token unless told otherwise. The base URL is read at each call, as services start in `beforeAll`.
 */
export class AdminClient {
  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request<T = any>(method: string, path: string, options: AdminRequestOptions = {}): Promise<HttpResult<T>> {
    const token = options.token === undefined ? this.token : options.token;
    const response = await fetch(`${this.baseUrl()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const body = contentType?.includes('json') && text ? JSON.parse(text) : null;
    return { status: response.status, body: body as T, text, contentType, headers: response.headers };
  }

  /** POSTs and returns the 201's body; any other answer throws with what the service said. */
  async created<T = { id: string }>(path: string, body: unknown): Promise<T> {
    const result = await this.request<T>('POST', path, { body });
    if (result.status !== 201) throw new Error(`POST ${path} answered ${result.status}: ${result.text}`);
    return result.body;
  }
}
