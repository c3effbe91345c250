-- Handoff.Orleans schema, part 5: our own tables.
-- The transcript is append-only: one row per message, so writing a message never rewrites the conversation.

CREATE TABLE IF NOT EXISTS handoff_messages
(
    conversation_id varchar(128) NOT NULL,
    seq             bigint       NOT NULL,
    id              varchar(64)  NOT NULL,
    sender          varchar(16)  NOT NULL,
    text            text         NOT NULL,
    at              timestamptz  NOT NULL,
    sender_name     varchar(200) NULL,
    -- A client's message id or a help-desk's event id: a retried message is stored once.
    dedupe_key      varchar(300) NULL,
    CONSTRAINT pk_handoff_messages PRIMARY KEY (conversation_id, seq)
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_handoff_messages_dedupe
    ON handoff_messages (conversation_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
