-- When the issue was last paused: a batch that started before that pause must not pause the issue
-- again after an editor resumed it (its provider error is stale).
alter table issues add column paused_at timestamptz;
