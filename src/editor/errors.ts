// The one error an editor operation throws when it refuses: a closed set of kinds, each with the exit
// code the CLI ends with and the HTTP status the API and admin pages answer with. Every face reports
// the message as it is: it is written for the editor (what was not done, why, what to do instead).

export type EditorErrorKind = 'invalid' | 'not-found' | 'conflict' | 'too-many' | 'provider' | 'unavailable';

const HTTP_STATUS: Record<EditorErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'too-many': 429,
  provider: 502,
  unavailable: 503,
};

const KIND_OF_STATUS = new Map<number, EditorErrorKind>(Object.entries(HTTP_STATUS).map(([k, s]) => [s, k as EditorErrorKind]));

export class EditorError extends Error {
  override name = 'EditorError';
  constructor(
    readonly kind: EditorErrorKind,
    message: string,
    /** What a machine client may act on besides the message (e.g. the issue holding a week); sent in the API's JSON. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The API's and admin pages' answer. */
  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }

  /** The CLI's exit code: 2 for a mistake in what was asked (as for a usage error), 1 for a refusal. */
  get exitCode(): number {
    return this.kind === 'invalid' ? 2 : 1;
  }

  /** An API error answer turned back into the operation's error (the CLI's typed client). */
  static fromHttp(status: number, body: { error?: unknown } & Record<string, unknown>): EditorError {
    const { error, ...details } = body;
    const kind = KIND_OF_STATUS.get(status) ?? (status >= 500 ? 'unavailable' : 'invalid');
    return new EditorError(kind, typeof error === 'string' && error !== '' ? error : `the server answered ${status}`, details);
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new EditorError('invalid', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new EditorError('not-found', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new EditorError('conflict', message, details);
