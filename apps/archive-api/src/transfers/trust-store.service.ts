import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { readCrls, readTrustAnchors } from '../signatures/trust-material';

export interface TrustMaterial {
  trustAnchors: Uint8Array[];
  crls: Uint8Array[];
  /** `trustMaterialFingerprint` of this material, computed once when it is loaded. */
  fingerprint: string;
}

/** SHA-256 over the sorted SHA-256s of every anchor and CRL file: names one version of the trust store. */
function trustMaterialFingerprint(m: Pick<TrustMaterial, 'trustAnchors' | 'crls'>): string {
  const h = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  return createHash('sha256')
    .update([...m.trustAnchors.map((a) => `a:${h(a)}`), ...m.crls.map((c) => `c:${h(c)}`)].sort().join('\n'))
    .digest('hex');
}

/**
 * The trust store of intake: anchors from TRUST_ANCHORS_DIR and CRLs from TRUST_CRL_DIR (PEM or DER
 * files, or single files). Reloadable without a restart: each transfer asks for the current material,
 * and the files are re-read when a name, size or mtime in those places changed (an operator drops a
 * fresh CRL in the directory, and the next transfer uses it).
 */
@Injectable()
export class TrustStoreService {
  private readonly logger = new Logger('TrustStore');
  private stamp = '';
  private material: TrustMaterial = { trustAnchors: [], crls: [], fingerprint: trustMaterialFingerprint({ trustAnchors: [], crls: [] }) };

  constructor(private readonly config: AppConfig) {}

  current(): TrustMaterial {
    const { trustAnchorsDir, trustCrlDir } = this.config.transfers;
    const stamp = `${fingerprint(trustAnchorsDir)}|${fingerprint(trustCrlDir)}`;
    if (stamp !== this.stamp) {
      try {
        const trustAnchors = trustAnchorsDir ? readTrustAnchors([trustAnchorsDir]) : [];
        const crls = trustCrlDir ? readCrls([trustCrlDir]) : [];
        this.material = { trustAnchors, crls, fingerprint: trustMaterialFingerprint({ trustAnchors, crls }) };
        this.stamp = stamp;
        this.logger.log(`trust store loaded: ${this.material.trustAnchors.length} anchor file(s), ${this.material.crls.length} CRL file(s)`);
      } catch (err) {
        // Keep the previous material: a half-copied directory must not empty the trust store.
        this.logger.error({ err }, 'could not read the trust store; keeping the previous one');
      }
    }
    return this.material;
  }
}

function fingerprint(p: string | null): string {
  if (!p) return '-';
  try {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return `${st.size}:${st.mtimeMs}`;
    return fs
      .readdirSync(p)
      .sort()
      .map((n) => {
        const s = fs.statSync(path.join(p, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      })
      .join(',');
  } catch {
    return 'missing';
  }
}
