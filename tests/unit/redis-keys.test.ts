import { describe, expect, it } from 'vitest';
import { apiLimitKeys, DEFAULT_PREFIX, heartbeatKey, metricsKey, pacerKey, queueKey, queueNames, rateLimitNamespace, testSendKey } from '../../src/lib/redis-keys.ts';

// The names below are what running installations already hold in Redis: a change here orphans
// their keys (a pacer slot, a lock, counters), so each one is pinned as it is spelled today.
describe('Redis key names', () => {
  it('spells every key as deployed installations have it', () => {
    expect(DEFAULT_PREFIX).toBe('{tagcast}');
    expect(queueNames('abc')).toEqual({ issues: 'issues-abc', send: 'send-abc' });
    expect(queueKey('{tagcast}', 'send-abc')).toBe('{tagcast}:send-abc');
    expect(pacerKey('{tagcast}', 'abc')).toBe('{tagcast}:send-abc:pacer');
    expect(heartbeatKey('{tagcast}', 'abc')).toBe('{tagcast}:issues-abc:heartbeat');
    expect(metricsKey('{tagcast}', 'abc')).toBe('{tagcast}:metrics:abc');
    expect(testSendKey('{tagcast}', 'abc', 7)).toBe('{tagcast}:test-send:abc:7');
    expect(rateLimitNamespace('{tagcast}')).toBe('{tagcast}:rate-limit:');
    expect(apiLimitKeys.address('192.0.2.1')).toBe('api:ip:192.0.2.1');
    expect(apiLimitKeys.token(3)).toBe('api:token:3');
  });

  it('keeps every key of an installation under the prefix, so a hash-tag prefix keeps them in one Cluster slot', () => {
    const p = '{acme}';
    const keys = [pacerKey(p, 'x'), heartbeatKey(p, 'x'), metricsKey(p, 'x'), testSendKey(p, 'x', 1), rateLimitNamespace(p), queueKey(p, queueNames('x').issues)];
    for (const k of keys) expect(k.startsWith(`${p}:`)).toBe(true);
  });
});
