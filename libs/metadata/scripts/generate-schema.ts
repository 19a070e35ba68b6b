// Writes libs/metadata/schema/manifest.schema.json from buildManifestSchema() (see src/schema.ts).
import { writeFileSync } from 'fs';
import { join } from 'path';
import { manifestSchema } from '../src/schema';

const out = join(__dirname, '..', 'schema', 'manifest.schema.json');
writeFileSync(out, JSON.stringify(manifestSchema, null, 2) + '\n');
console.log(`wrote ${out}`);
