import * as fs from 'node:fs';
import * as path from 'node:path';

const CERT_EXTENSIONS = /\.(pem|crt|cer|der)$/i;
const CRL_EXTENSIONS = /\.(crl|pem|der)$/i;

export class TrustMaterialError extends Error {}

function readFrom(paths: string[], accept: RegExp): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new TrustMaterialError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        const file = path.join(p, name);
        if (accept.test(name) && fs.statSync(file).isFile()) out.push(fs.readFileSync(file));
      }
    } else {
      out.push(fs.readFileSync(p));
    }
  }
  return out;
}

/**
 * Trust anchors and CRLs from files or directories (PEM or DER; a PEM file may hold several).
 * The signature library parses them; this only gathers bytes, so the CLI and the service read the
 * trust store the same way.
 */
export function readTrustAnchors(paths: string[]): Uint8Array[] {
  return readFrom(paths, CERT_EXTENSIONS);
}

export function readCrls(paths: string[]): Uint8Array[] {
  return readFrom(paths, CRL_EXTENSIONS);
}
