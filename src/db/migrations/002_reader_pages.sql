-- Reader pages: pausing, double opt-in and the other emails a reader asks for, erasure, unsubscribe counts.

-- Planning skips a reader until this time passes; then they get digests again by themselves.
alter table subscribers add column paused_until timestamptz;

-- An email a reader asked for (a subscription confirmation, an export or delete link, a "you are
-- already subscribed" note). The row is the source of truth: a queued job sends it under an
-- idempotency key derived from its id, and reconcile re-enqueues any row still owed, so a lost job
-- or a crash sends it once, not never and not twice. `payload` keeps what a subscribe form asked
-- for (tags, time zone, name): it is applied only when the reader confirms, so nobody can change
-- someone else's subscription by typing their address.
create table notices (
  id int generated always as identity primary key,
  subscriber_id int not null references subscribers (id) on delete cascade,
  kind text not null check (kind in ('confirm', 'subscribed', 'export', 'delete')),
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  -- Set when a confirm, export or delete link was used: each link works once.
  used_at timestamptz,
  provider_id text,
  error text,
  attempts int not null default 0
);
create index notices_owed on notices (id) where sent_at is null and error is null;
create index notices_recent on notices (subscriber_id, kind, created_at desc);

-- Addresses whose owner asked to be erased, kept only as a SHA-256 of the normalised address, so an
-- import or an editor cannot add them back. The reader may still subscribe again themselves.
create table erasures (
  email_hash text primary key,
  erased_at timestamptz not null default now()
);

-- Unsubscribes that came from an issue's links (one-click or page), counted once per reader.
alter table issues add column unsubscribed int not null default 0;
