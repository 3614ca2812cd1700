-- A conversation's item, indexed: automations find an item's conversations
-- (post_message, send_email to its customers) without reading every one.
CREATE INDEX conversations_item ON conversations (((data->>'item_id')::bigint), id);
