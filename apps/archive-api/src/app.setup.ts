import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { globalValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { jsonClientErrors } from './hardening/client-errors';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

export const API_PREFIX = 'api/v1';

/** Everything main.ts and the end-to-end tests must configure the same way. */
export function configureApp(app: INestApplication): void {
  const config = app.get(AppConfig);
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', 'loopback');
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  express.useBodyParser('json', { limit: config.jsonBodyLimit });
  app.use(helmet({ contentSecurityPolicy: false })); // CSP off: the OpenAPI UI needs inline scripts
  app.enableCors(config.corsOrigins.length ? { origin: config.corsOrigins, exposedHeaders: ['ETag', 'Content-Disposition', 'X-Request-Id'] } : { origin: false });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'api/v1/health/live', method: RequestMethod.GET },
      { path: 'api/v1/health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(globalValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // Errors raised by Node's HTTP parser (431, 400) leave as JSON as well.
  jsonClientErrors(app.getHttpServer());

  const openApi = new DocumentBuilder()
    .setTitle('Electronic archive records service')
    .setDescription('Hệ thống quản lý tài liệu lưu trữ điện tử — transfers, catalogue, search, retention, copies')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, openApi);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
