-- The editor's default density (issue 18): what readers who never chose brief or full get. Null reads
-- as 'full' (src/publication.ts), so an install keeps today's digest until the editor chooses.
alter table publication_settings add column default_density text check (default_density is null or default_density in ('brief', 'full'));
