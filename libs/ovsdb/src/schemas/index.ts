export * from './generated/open-vswitch';
export * from './generated/server';
