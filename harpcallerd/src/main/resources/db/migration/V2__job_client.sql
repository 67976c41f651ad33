-- Who submitted a job: the configured client's name (NULL without client authentication) and its address.
ALTER TABLE jobs ADD COLUMN client TEXT;
ALTER TABLE jobs ADD COLUMN client_address TEXT;
