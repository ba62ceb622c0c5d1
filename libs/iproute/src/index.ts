export * from './exec';
export * from './names';
export * from './address';
export * from './ip';
export * from './ip-session';
