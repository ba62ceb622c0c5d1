export * from './idl';
