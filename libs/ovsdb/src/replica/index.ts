export * from './replica';
export * from './events';
export * from './column-index';
export * from './row-codec';
