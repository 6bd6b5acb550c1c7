export * from './config';
export * from './errors';
export * from './validation.pipe';
export * from './problem';
export * from './admin-token.guard';
export * from './logging';
export * from './health';
export * from './bootstrap';
