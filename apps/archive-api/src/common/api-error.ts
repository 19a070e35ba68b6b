import { HttpException, HttpStatus } from '@nestjs/common';

/** One field-level problem, as listed in `details` of a 4xx answer. */
export interface ErrorDetail {
  path: string;
  code: string;
  message: string;
}

/** The error body of API.md: `{ statusCode, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: ErrorDetail[] | Record<string, unknown>[];
  requestId?: string;
}

/**
 * An HttpException whose body already has our shape, for services that know the field paths.
 * `retryAfterSeconds` (429, 503, a 409 that will pass): sent as `Retry-After` by the exception filter.
 */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    message: string,
    details?: ErrorDetail[],
    readonly retryAfterSeconds?: number,
  ) {
    super({ statusCode: status, error: reasonPhrase(status), message, ...(details ? { details } : {}) }, status);
  }
}

export function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return status >= 500 ? 'Internal Server Error' : 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
