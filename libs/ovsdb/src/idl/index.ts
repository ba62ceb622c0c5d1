export * from './idl';
export * from './transaction';
