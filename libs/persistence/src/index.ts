export * from './database-url';
export * from './ensure-database';
export * from './migrations';
export * from './data-source.factory';
