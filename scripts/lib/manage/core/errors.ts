// The one error type library code throws; manage.ts turns it into a message and an exit code.

/**
 * Documented exit codes: 0 ok, 1 usage or configuration error, 2 a service operation failed, 3 `status
 * --check` or `health` found a selected service not running and ready, 130 interrupted.
 */
export const ExitCode = {
  ok: 0,
  usage: 1,
  failed: 2,
  unhealthy: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class ManageError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.usage,
    /** One sentence telling the user what to do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ManageError';
  }
}

/** The errno code of a Node system error, or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
