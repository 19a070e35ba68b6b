import { Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config';

/** Config is read once per process; tests build an AppConfig and override the provider. */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => loadConfig() }],
  exports: [AppConfig],
})
export class ConfigModule {}
