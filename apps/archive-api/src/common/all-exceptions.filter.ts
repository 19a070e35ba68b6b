import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError, ErrorBody, reasonPhrase } from './api-error';

/**
 * Every error leaves as the JSON shape of API.md. Unknown errors become a bare 500 (logged with
 * the request id, never sent: no stack traces or SQL in responses). Errors raised by Express body
 * parsing carry their own 4xx status (413 too large, 415) and keep it; Nest itself turns a JSON
 * syntax error into a 400 BadRequestException.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const body = this.toBody(exception);
    body.requestId = typeof req?.id === 'string' ? req.id : undefined;
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId: body.requestId, path: req?.url }, 'unhandled error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (exception instanceof ApiError && exception.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string') return { statusCode: status, error: reasonPhrase(status), message: response };
      const r = response as Record<string, unknown>;
      const message = Array.isArray(r.message) ? r.message.join('; ') : typeof r.message === 'string' ? r.message : exception.message;
      return {
        statusCode: status,
        error: typeof r.error === 'string' ? r.error : reasonPhrase(status),
        message,
        ...(Array.isArray(r.details) ? { details: r.details as ErrorBody['details'] } : {}),
      };
    }
    const e = exception as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown } | null;
    const status = Number(e?.status ?? e?.statusCode);
    if (Number.isInteger(status) && status >= 400 && status < 500) {
      const message = e?.type === 'entity.too.large' ? 'Request body is too large' : reasonPhrase(status);
      return { statusCode: status, error: reasonPhrase(status), message };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'An unexpected error occurred' };
  }
}
