-- What an unsubscribe link may undo: only its own unsubscription, for a day, while nothing else
-- changed the subscription since.

-- Bumped by the database on every change of a subscriber's status, whoever makes it (a reader page,
-- a bounce or complaint, an editor, an import), so an undo link bound to one value refuses itself
-- once anything else changed the subscription; no code path can forget to bump it.
alter table subscribers add column status_version int not null default 0;

create function subscribers_bump_status_version() returns trigger language plpgsql as $$
begin
  new.status_version := old.status_version + 1;
  return new;
end
$$;

create trigger subscribers_status_version before update of status on subscribers
  for each row when (old.status is distinct from new.status)
  execute function subscribers_bump_status_version();

-- How the current unsubscription came about: 'link' (the unsubscribe link of an email, one-click or
-- its page), anything else null. Only a link's own unsubscription offers undo on the link's page.
alter table subscribers add column unsubscribed_via text check (unsubscribed_via in ('link'));

-- A reader who left through an unsubscribe link asks for their preferences link by email.
alter table notices drop constraint notices_kind_check;
alter table notices add constraint notices_kind_check check (kind in ('confirm', 'subscribed', 'export', 'delete', 'preferences'));
