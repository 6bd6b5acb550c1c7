export * from './admin-client';
export * from './wait-for';
export * from './topic-probe';
export * from './integration.global-setup';
export * from './test-schema';
export * from './cluster';
export * from './upstream.server';
export * from './okta';
