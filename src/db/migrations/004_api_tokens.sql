-- Bearer tokens for the editor JSON API (/api/v1). Only a SHA-256 hash of each token is kept: the
-- token itself is shown once, when it is created. A revoked token stays listed (who had access, when).
create table api_tokens (
  id serial primary key,
  name text not null check (length(name) between 1 and 100),
  hash text not null unique check (hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
