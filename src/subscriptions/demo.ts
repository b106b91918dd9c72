// Demo readers for a first run on the embedded database: clearly marked, at example.com (RFC 2606),
// with varied tags, including one whose tags have no content, to show a skipped reader.
import type { SubscriberInput } from '../db/subscribers.ts';

const demo: [string, string, string[], string][] = [
  ['ada', 'Ada (demo)', ['Rust', 'Databases', 'Distributed Systems'], 'Europe/London'],
  ['grace', 'Grace (demo)', ['AI', 'Careers'], 'America/New_York'],
  ['linus', 'Linus (demo)', ['Kubernetes', 'Platform Engineering', 'Observability'], 'Europe/Helsinki'],
  ['margaret', 'Margaret (demo)', ['Security', 'Frontend'], 'America/Los_Angeles'],
  ['barbara', 'Barbara (demo)', ['Databases', 'AI', 'Security', 'Observability'], 'Europe/Berlin'],
  ['ken', 'Ken (demo)', ['Distributed Systems'], 'Asia/Tokyo'],
  ['radia', 'Radia (demo)', ['Platform Engineering', 'Kubernetes', 'Security', 'Rust', 'AI', 'Careers'], 'Australia/Sydney'],
  ['edsger', 'Edsger (demo)', ['Quantum Computing'], 'Europe/Amsterdam'],
];

export const demoSubscribers: SubscriberInput[] = demo.map(([local, name, tags, tz]) => ({
  email: `${local}@example.com`,
  name,
  tags,
  timeZone: tz,
  status: 'active',
  source: 'demo',
}));
