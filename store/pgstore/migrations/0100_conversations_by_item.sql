-- A conversation's item, as a column of its own (set at creation; a
-- conversation never changes item) and indexed: automations find an
-- item's conversations (post_message, send_email to its customers)
-- without reading every one. A column, not an index on the document's
-- item_id: an expression index over data would make every update of a
-- conversation (each post) a non-HOT update writing every index anew.
ALTER TABLE conversations ADD COLUMN item_id bigint;
UPDATE conversations SET item_id = (data->>'item_id')::bigint;
ALTER TABLE conversations ALTER COLUMN item_id SET NOT NULL;
CREATE INDEX conversations_item ON conversations (item_id, id);
