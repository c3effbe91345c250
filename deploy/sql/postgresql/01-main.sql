-- Handoff.Orleans schema, part 1: the query table every Orleans ADO.NET provider reads at start-up.
-- Every script in this folder is idempotent: it may run on every start of every node.
-- Orleans reads OrleansQuery once per provider start; a changed query takes effect after a restart.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);
