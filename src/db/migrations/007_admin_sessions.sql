-- The editor's sessions, held on the server as well as in the signed cookie: logging out deletes the
-- row, so a copied cookie stops working then, not when its signed expiry comes. Only a SHA-256 hash
-- of the cookie's random id is kept. key_tag names the key (SECRET and ADMIN_PASSWORD) the session was
-- signed under: a session from before a password change is never live again, even if the old
-- password comes back.
create table admin_sessions (
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  key_tag text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index admin_sessions_expires_at on admin_sessions (expires_at);
