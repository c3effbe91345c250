-- Handoff.Orleans schema, part 3: grain state (Orleans.Persistence.AdoNet, invariant Npgsql).
-- GrainTypeString holds the [PersistentState] state name, so every state name in the code is unique.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer       NOT NULL,
    GrainIdN0              bigint        NOT NULL,
    GrainIdN1              bigint        NOT NULL,
    GrainTypeHash          integer       NOT NULL,
    GrainTypeString        varchar(512)  NOT NULL,
    GrainIdExtensionString varchar(512)  NULL,
    ServiceId              varchar(150)  NOT NULL,
    PayloadBinary          bytea         NULL,
    ModifiedOn             timestamptz   NOT NULL DEFAULT now(),
    Version                integer       NULL
);

-- The stock script has no unique key and relies on WHERE NOT EXISTS, which two racing first writes can both
-- pass. One row per grain state is enforced here; a losing first write gets no version back, which Orleans
-- reports as an InconsistentStateException.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_GrainState ON OrleansStorage
    (ServiceId, GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, (coalesce(GrainIdExtensionString, '')));

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = CAST(@ServiceId AS varchar)
  AND GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
  AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
  AND GrainTypeString = CAST(@GrainTypeString AS varchar)
  AND coalesce(GrainIdExtensionString, '''') = coalesce(CAST(@GrainIdExtensionString AS varchar), '''');'),

-- First write (no version yet) inserts version 1; later writes must name the current version.
-- No row back (NULL) means someone else wrote first: Orleans raises InconsistentStateException.
('WriteToStorageKey', '
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = CAST(@PayloadBinary AS bytea), ModifiedOn = now(), Version = Version + 1
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
      AND Version = CAST(@GrainStateVersion AS integer)
      AND ServiceId = CAST(@ServiceId AS varchar)
      AND GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
      AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
      AND GrainTypeString = CAST(@GrainTypeString AS varchar)
      AND coalesce(GrainIdExtensionString, '''') = coalesce(CAST(@GrainIdExtensionString AS varchar), '''')
    RETURNING Version),
inserted AS (
    INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
                                GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT CAST(@GrainIdHash AS integer), CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
           CAST(@GrainTypeHash AS integer), CAST(@GrainTypeString AS varchar),
           CAST(@GrainIdExtensionString AS varchar), CAST(@ServiceId AS varchar),
           CAST(@PayloadBinary AS bytea), now(), 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version)
SELECT (SELECT Version FROM updated UNION ALL SELECT Version FROM inserted LIMIT 1) AS NewGrainStateVersion;'),

('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE Version = CAST(@GrainStateVersion AS integer)
  AND ServiceId = CAST(@ServiceId AS varchar)
  AND GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
  AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
  AND GrainTypeString = CAST(@GrainTypeString AS varchar)
  AND coalesce(GrainIdExtensionString, '''') = coalesce(CAST(@GrainIdExtensionString AS varchar), '''')
RETURNING Version AS NewGrainStateVersion;'),

('DeleteStorageKey', '
WITH deleted AS (
    DELETE FROM OrleansStorage
    WHERE Version = CAST(@GrainStateVersion AS integer)
      AND ServiceId = CAST(@ServiceId AS varchar)
      AND GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
      AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
      AND GrainTypeString = CAST(@GrainTypeString AS varchar)
      AND coalesce(GrainIdExtensionString, '''') = coalesce(CAST(@GrainIdExtensionString AS varchar), '''')
    RETURNING Version)
SELECT Version + 1 FROM deleted;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
