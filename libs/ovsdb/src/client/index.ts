export * from './ovsdb-client';
export * from './ovsdb-client-listener';
export * from './reconnecting-client';
export * from './backoff';
export * from './leadership';
