import { Foundation1732300000000 } from './1732300000000-foundation';

/** Hand-written migrations, in order. Never `synchronize`. */
export const MIGRATIONS = [Foundation1732300000000];
