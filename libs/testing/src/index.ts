export * from './wait-for';
export * from './topic-probe';
export * from './integration.global-setup';
export * from './test-schema';
