// Every Redis key tagcast names itself is built here, so a prefix change or a Redis Cluster slot is
// decided in one place. BullMQ builds its own keys under a queue's qualified name (`<prefix>:<queue>`);
// the keys below that sit beside a queue's share its hash tag, so they land in the same Cluster slot.
// Installations sharing a Redis are kept apart by the installation id in each name. Pure.

/** The hash tag keeps every key of a queue in one Redis Cluster slot. */
export const DEFAULT_PREFIX = '{tagcast}';

/**
 * Plan and finalize run on their own queue, so the provider's rate limit applies to sending only.
 * Names carry the database's installation id: databases sharing a Redis never share jobs.
 */
export function queueNames(installation: string): { issues: string; send: string } {
  return { issues: `issues-${installation}`, send: `send-${installation}` };
}

/** A queue's qualified name, as BullMQ forms it: the queue's own keys are `<this>:…`. */
export function queueKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}`;
}

/** The send pacer's next free slot (src/send/pacer.ts), beside the send queue's keys. */
export function pacerKey(prefix: string, installation: string): string {
  return `${queueKey(prefix, queueNames(installation).send)}:pacer`;
}

/** The workers' heartbeat lock: one worker at a time re-asserts what Redis must hold. */
export function heartbeatKey(prefix: string, installation: string): string {
  return `${queueKey(prefix, queueNames(installation).issues)}:heartbeat`;
}

/** The Redis hash the workers count into, per installation (like the queue names). */
export function metricsKey(prefix: string, installation: string): string {
  return `${prefix}:metrics:${installation}`;
}

/** Test sends of one issue, counted in a window (src/send/test-send.ts). */
export function testSendKey(prefix: string, installation: string, issueId: number): string {
  return `${prefix}:test-send:${installation}:${issueId}`;
}

/** The HTTP rate limiter's counters, under the queue prefix. */
export function rateLimitNamespace(prefix: string): string {
  return `${prefix}:rate-limit:`;
}

/** The rate limiter's namespace when none is given (the plugin on its own). */
export const DEFAULT_RATE_LIMIT_NAMESPACE = 'tagcast-rate-limit:';

/** The API's counters inside that namespace: per client address (no token) and per token. */
export const apiLimitKeys = {
  address: (ip: string): string => `api:ip:${ip}`,
  token: (tokenId: number): string => `api:token:${tokenId}`,
};
