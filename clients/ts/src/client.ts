// A minimal typed client of Linli's API: request() sends a typed document
// over HTTP (POST /graphql) and returns its typed data or throws the
// GraphQL errors with their extensions.code; subscribe() runs a typed
// subscription over graphql-ws (the graphql-transport-ws protocol).
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** A GraphQL error as Linli sends it: a stable code, and for input errors the field at fault. */
export interface LinliError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; retryAfter?: number };
}

/** Thrown by request() when the response carries errors. */
export class LinliRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly LinliError[],
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }

  /** The extensions.code of the first error, e.g. BAD_USER_INPUT or RATE_LIMITED. */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** Where the API is and how to sign requests. */
export interface LinliOptions {
  /** The HTTP endpoint, e.g. https://linli.example/graphql. */
  url: string;
  /** The access token of the signed-in resident, or undefined for anonymous requests. */
  token?: () => string | undefined;
}

/** Sends one typed operation over HTTP and returns its data. */
export async function request<TData, TVariables extends Record<string, unknown>>(
  opts: LinliOptions,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  const token = opts.token?.();
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(opts.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData | null; errors?: LinliError[] };
  if (body.errors?.length || body.data == null) {
    throw new LinliRequestError(response.status, body.errors ?? []);
  }
  return body.data;
}

/** Opens the websocket for subscriptions; the token goes in connection_init. */
export function subscriptions(opts: LinliOptions): Client {
  return createClient({
    url: opts.url.replace(/^http/, 'ws'),
    connectionParams: () => {
      const token = opts.token?.();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
}

/** Runs a typed subscription, calling next with each event's data, until the returned function is called. */
export function subscribe<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  next: (data: TData) => void,
  error: (errors: unknown) => void = () => {},
): () => void {
  return client.subscribe<TData>(
    { query: print(document), variables },
    {
      next: (result) => {
        if (result.data) next(result.data);
        else if (result.errors) error(result.errors);
      },
      error,
      complete: () => {},
    },
  );
}
