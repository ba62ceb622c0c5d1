// libs/ovsdb: an OVSDB (RFC 7047 + Open vSwitch extensions) client for Node.js.
export * from './errors';
export * from './protocol';
export * from './transport';
export * from './client';
export * from './data';
export * from './schema';
export * from './replica';
export * from './schemas';
export * from './idl';
export * from './commands';
