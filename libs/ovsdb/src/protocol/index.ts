export * from './wire';
export * from './framing';
export * from './jsonrpc-session';
