-- One confirmation-family email (a confirmation, an "already subscribed" note) per mailbox per window,
-- whatever spelling of the address was typed (`+tag` suffixes, dots at Gmail): a row per mailbox, its
-- slot taken by a conditional upsert, so racing requests for two spellings of one inbox cannot both
-- pass. Only a SHA-256 of the mailbox key is kept, and rows past the window are purged.
create table mailbox_limits (
  mailbox_hash text primary key check (mailbox_hash ~ '^[0-9a-f]{64}$'),
  last_sent timestamptz not null
);

-- Addresses typed on the subscribe page and never confirmed held the form's name and time zone on
-- their row, where a later confirmation by the owner kept them. Each request's notice holds them
-- (its payload, since 002), applied only by its own link: the rows keep just the address.
update subscribers set name = null, time_zone = null
where status = 'pending' and confirmed_at is null and source = 'subscribe page';
