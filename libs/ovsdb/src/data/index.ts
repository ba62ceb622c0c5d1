export * from './typed-value';
export * from './uuid';
export * from './codec';
export * from './equal';
export * from './frozen';
export * from './rows';
