export * from './exec';
export * from './names';
export * from './address';
export * from './ip';
