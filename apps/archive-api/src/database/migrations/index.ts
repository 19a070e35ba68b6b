import { Foundation1732300000000 } from './1732300000000-foundation';
import { Jobs1732500000000 } from './1732500000000-jobs';
import { Security1732610000000 } from './1732610000000-security';
import { Catalogue1732700000000 } from './1732700000000-catalogue';
import { Search1732800000000 } from './1732800000000-search';

/** Hand-written migrations, in order. Never `synchronize`. */
export const MIGRATIONS = [Foundation1732300000000, Jobs1732500000000, Security1732610000000, Catalogue1732700000000, Search1732800000000];
