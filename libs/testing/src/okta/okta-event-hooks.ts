import { randomBytes, randomUUID } from 'node:crypto';
import type { OktaLogEvent } from './okta-org';

export interface EventHookRegistration {
  url: string;
  /** Okta does not sign Event Hook calls: this shared-secret header is the receiver's only proof of origin. */
  authHeaderName: string;
  authHeaderValue: string;
  /** Further headers Okta's hook configuration can carry. */
  headers?: Record<string, string>;
}

export interface RegisteredEventHook extends EventHookRegistration {
  id: string;
  verified: boolean;
  /** Why verification failed, when it did. */
  verificationError?: string;
}

/** Okta's Event Hook request body. */
export interface EventHookBody {
  eventType: 'com.okta.event_hook';
  eventTypeVersion: '1.0';
  cloudEventsVersion: '0.1';
  source: string;
  eventId: string;
  eventTime: string;
  contentType: 'application/json';
  data: { events: OktaLogEvent[] };
}

export interface DeliverOptions {
  /** Default: the most recently registered hook. */
  hookId?: string;
  /** Reuse an earlier delivery's id to play Okta's at-least-once redelivery. */
  eventId?: string;
  /** Send this value in the auth header instead of the configured one (a forged call). */
  authHeaderValue?: string;
  omitAuthHeader?: boolean;
  /** Okta gives a receiver 3 seconds. */
  timeoutMs?: number;
}

export interface EventHookDelivery {
  hookId: string;
  eventId: string;
  body: EventHookBody;
  sentHeaders: Record<string, string>;
  /** The receiver's status, or 0 when it could not be reached in time. */
  status: number;
  responseBody: string;
  error?: string;
}

const OKTA_HOOK_TIMEOUT_MS = 3000;

/** Registers Event Hooks the way Okta does (one-time verification challenge) and delivers event batches to them. */
export class OktaEventHooks {
  readonly hooks: RegisteredEventHook[] = [];
  readonly deliveries: EventHookDelivery[] = [];

  constructor(private readonly orgUrl: () => string) {}

  async register(registration: EventHookRegistration): Promise<RegisteredEventHook> {
    const hook: RegisteredEventHook = { ...registration, id: `who${randomBytes(9).toString('hex').slice(0, 17)}`, verified: false };
    this.hooks.push(hook);
    await this.verify(hook.id);
    return hook;
  }

  /** Okta's verification: a GET carrying a random challenge that the receiver must echo as `{ "verification": ... }`. */
  async verify(hookId: string): Promise<RegisteredEventHook> {
    const hook = this.hook(hookId);
    const challenge = randomBytes(24).toString('base64url');
    try {
      const response = await fetch(hook.url, {
        method: 'GET',
        headers: { ...hook.headers, [hook.authHeaderName]: hook.authHeaderValue, 'x-okta-verification-challenge': challenge, accept: 'application/json' },
        signal: AbortSignal.timeout(OKTA_HOOK_TIMEOUT_MS),
      });
      const text = await response.text();
      const echoed = response.status === 200 ? (safeJson(text) as { verification?: unknown } | null)?.verification : undefined;
      hook.verified = echoed === challenge;
      hook.verificationError = hook.verified ? undefined : `receiver answered ${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      hook.verified = false;
      hook.verificationError = (error as Error).message;
    }
    return hook;
  }

  async deliver(events: OktaLogEvent[], options: DeliverOptions = {}): Promise<EventHookDelivery> {
    const hook = this.hook(options.hookId);
    if (!hook.verified) throw new Error(`event hook ${hook.id} is not verified (${hook.verificationError}); Okta delivers only to verified hooks`);
    const body: EventHookBody = {
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: `${this.orgUrl()}/api/v1/eventHooks/${hook.id}`,
      eventId: options.eventId ?? randomUUID(),
      eventTime: new Date().toISOString(),
      contentType: 'application/json',
      data: { events },
    };
    const sentHeaders: Record<string, string> = { ...hook.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (!options.omitAuthHeader) sentHeaders[hook.authHeaderName] = options.authHeaderValue ?? hook.authHeaderValue;
    const delivery: EventHookDelivery = { hookId: hook.id, eventId: body.eventId, body, sentHeaders, status: 0, responseBody: '' };
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: sentHeaders,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? OKTA_HOOK_TIMEOUT_MS),
      });
      delivery.status = response.status;
      delivery.responseBody = await response.text();
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    this.deliveries.push(delivery);
    return delivery;
  }

  private hook(hookId?: string): RegisteredEventHook {
    const hook = hookId ? this.hooks.find((h) => h.id === hookId) : this.hooks[this.hooks.length - 1];
    if (!hook) throw new Error(hookId ? `no event hook ${hookId}` : 'no event hook registered');
    return hook;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
