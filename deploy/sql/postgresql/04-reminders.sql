-- Handoff.Orleans schema, part 4: reminders (Orleans.Reminders.AdoNet, invariant Npgsql).
-- GrainId is "<grain type>/<key>"; conversation keys are long, so it is far wider than the stock 150.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(1024)  NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Every silo re-reads its hash ranges periodically; without this index each read scans the whole table.
CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (CAST(@ServiceId AS varchar), CAST(@GrainId AS varchar), CAST(@ReminderName AS varchar),
        CAST(@StartTime AS timestamptz), CAST(@Period AS bigint), CAST(@GrainHash AS integer), 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = EXCLUDED.StartTime, Period = EXCLUDED.Period, GrainHash = EXCLUDED.GrainHash,
    Version = OrleansRemindersTable.Version + 1
RETURNING Version;'),

('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar);'),

('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar)
  AND ReminderName = CAST(@ReminderName AS varchar);'),

('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = CAST(@ServiceId AS varchar)
  AND GrainHash > CAST(@BeginHash AS integer) AND GrainHash <= CAST(@EndHash AS integer);'),

('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = CAST(@ServiceId AS varchar)
  AND (GrainHash > CAST(@BeginHash AS integer) OR GrainHash <= CAST(@EndHash AS integer));'),

('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar)
      AND ReminderName = CAST(@ReminderName AS varchar) AND Version = CAST(@Version AS integer)
    RETURNING 1)
SELECT CAST(count(*) AS integer) FROM deleted;'),

('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = CAST(@ServiceId AS varchar);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
