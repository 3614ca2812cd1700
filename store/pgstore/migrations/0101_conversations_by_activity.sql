-- A conversation's activity (its last message's time, else its creation),
-- in microseconds since 1970, as a column kept with the document and
-- indexed: the conversation list reads conversations newest activity
-- first and stops once its page is full, instead of reading them all.
ALTER TABLE conversations ADD COLUMN activity_us bigint;
UPDATE conversations SET activity_us =
	floor(extract(epoch FROM COALESCE(data->>'last_message_at', data->>'created_at')::timestamptz) * 1000000)::bigint;
ALTER TABLE conversations ALTER COLUMN activity_us SET NOT NULL;
CREATE INDEX conversations_activity ON conversations (activity_us, id);
