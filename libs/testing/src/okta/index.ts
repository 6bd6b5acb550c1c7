export * from './okta-stand-in.server';
export * from './okta-org';
export * from './okta-event-hooks';
export { compileOktaFilter, OktaFilterError } from './okta-filter';
