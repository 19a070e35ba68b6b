export * from './model';
export * from './codes';
export * from './dates';
export * from './patterns';
export * from './identifiers';
export * from './retention';
export * from './messages';
export * from './fields';
export * from './validate';
export * from './schema';
export * from './legacy';
export * from './eark';
// eark/errors.ts declares the same {vi, en} shape; the model's is the canonical export.
export type { LocalizedMessage } from './model';
