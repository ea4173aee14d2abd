export * from './domain';
export * from './contract';
export * from './errors';
export * from './events';
export * from './secrets';
export * from './bridge';
