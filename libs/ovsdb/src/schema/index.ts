export * from './types';
export * from './parse';
export * from './validate';
export * from './validation-error';
export * from './schema-error';
export * from './table-ref';
