import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AppConfig } from '../config/app-config';

/** Makes ARCHIVE_ADMIN_TOKEN (or its absence) effective when the service starts. */
@Injectable()
export class AuthBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.syncBootstrapKey(this.config.adminToken);
  }
}
