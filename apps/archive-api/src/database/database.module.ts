import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseServer } from './database-server';
import { dataSourceOptions } from './data-source-options';

/** TypeORM on the configured (or embedded) PostgreSQL; pending migrations run before the app serves. */
@Global()
@Module({
  providers: [DatabaseServer],
  exports: [DatabaseServer],
})
class DatabaseServerModule {}

@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      inject: [DatabaseServer],
      useFactory: async (server: DatabaseServer) => ({
        ...dataSourceOptions(await server.url()),
        autoLoadEntities: true,
        migrationsRun: true,
        logging: ['error'],
      }),
    }),
  ],
  exports: [DatabaseServerModule],
})
export class DatabaseModule {}

export { DatabaseServerModule };
