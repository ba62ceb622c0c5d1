export * from './remote';
export * from './tls';
export * from './connect';
export * from './listener';
