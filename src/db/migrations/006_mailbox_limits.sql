-- One confirmation-family email (a confirmation, an "already subscribed" note) per mailbox per window,
-- whatever spelling of the address was typed (`+tag` suffixes, dots at Gmail): a row per mailbox, its
-- slot taken by a conditional upsert, so racing requests for two spellings of one inbox cannot both
-- pass. Only a SHA-256 of the mailbox key is kept, and rows past the window are purged.
create table mailbox_limits (
  mailbox_hash text primary key check (mailbox_hash ~ '^[0-9a-f]{64}$'),
  last_sent timestamptz not null
);
