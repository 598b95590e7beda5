import { CliError, EXIT } from './exit-codes';

export interface ApiOptions {
  baseUrl: string;
  token?: string;
}

interface Problem {
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** A thin fetch wrapper: JSON in and out, problem+json turned into a readable CliError. */
export class ApiClient {
  constructor(private readonly options: ApiOptions) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async raw(path: string): Promise<Response> {
    return this.fetch('GET', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, body);
    const text = await res.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!res.ok) throw problemToError(res.status, parsed as Problem | undefined, text);
    return parsed as T;
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      return await fetch(new URL(path, this.options.baseUrl), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new CliError(`cannot reach the API at ${this.options.baseUrl}: ${reasonOf(error)}`, EXIT.UNAVAILABLE);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function problemToError(status: number, problem: Problem | undefined, text: string): CliError {
  const lines = [`API answered ${status}: ${problem?.detail ?? text.slice(0, 500)}`];
  for (const e of problem?.errors ?? []) lines.push(`  ${e.field}: ${e.message}`);
  return new CliError(lines.join('\n'), status >= 500 ? EXIT.UNAVAILABLE : EXIT.REJECTED);
}

/**
 * Why a request failed: fetch's "fetch failed" carries the socket error (ECONNREFUSED, ...) as its
 * cause, shown as `String(cause)` does; the error's own message where there is no cause.
 */
function reasonOf(error: unknown): string {
  const { cause, message } = error as Error;
  if (cause === undefined || cause === null) return message;
  if (cause instanceof Error) return cause.toString();
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}
