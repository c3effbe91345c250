-- Handoff.Orleans schema, part 2: cluster membership (Orleans.Clustering.AdoNet, invariant Npgsql).
-- Orleans passes ClusterOptions.ClusterId as @DeploymentId.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Each statement below is one atomic SQL statement: the membership row and the table version change
-- together or not at all, which is what Orleans' optimistic membership protocol needs.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
    VALUES (CAST(@DeploymentId AS varchar), now(), 0)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT CAST(count(*) AS integer) FROM created;'),

('InsertMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = CAST(@DeploymentId AS varchar)
      AND Version = CAST(@Version AS integer)
      AND NOT EXISTS (
          SELECT 1 FROM OrleansMembershipTable m
          WHERE m.DeploymentId = CAST(@DeploymentId AS varchar) AND m.Address = CAST(@Address AS varchar)
            AND m.Port = CAST(@Port AS integer) AND m.Generation = CAST(@Generation AS integer))
    RETURNING DeploymentId),
inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT b.DeploymentId, CAST(@Address AS varchar), CAST(@Port AS integer), CAST(@Generation AS integer),
           CAST(@SiloName AS varchar), CAST(@HostName AS varchar), CAST(@Status AS integer),
           CAST(@ProxyPort AS integer), CAST(@StartTime AS timestamptz), CAST(@IAmAliveTime AS timestamptz)
    FROM bumped b
    RETURNING 1)
SELECT CAST(count(*) AS integer) FROM inserted;'),

('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = CAST(@DeploymentId AS varchar)
      AND Version = CAST(@Version AS integer)
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipTable m
          WHERE m.DeploymentId = CAST(@DeploymentId AS varchar) AND m.Address = CAST(@Address AS varchar)
            AND m.Port = CAST(@Port AS integer) AND m.Generation = CAST(@Generation AS integer))
    RETURNING DeploymentId),
updated AS (
    UPDATE OrleansMembershipTable m
    SET Status = CAST(@Status AS integer),
        SuspectTimes = CAST(@SuspectTimes AS varchar),
        IAmAliveTime = CAST(@IAmAliveTime AS timestamptz)
    FROM bumped b
    WHERE m.DeploymentId = b.DeploymentId AND m.Address = CAST(@Address AS varchar)
      AND m.Port = CAST(@Port AS integer) AND m.Generation = CAST(@Generation AS integer)
    RETURNING 1)
SELECT CAST(count(*) AS integer) FROM updated;'),

('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = CAST(@IAmAliveTime AS timestamptz)
WHERE DeploymentId = CAST(@DeploymentId AS varchar) AND Address = CAST(@Address AS varchar)
  AND Port = CAST(@Port AS integer) AND Generation = CAST(@Generation AS integer);'),

('MembershipReadRowKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = CAST(@Address AS varchar)
      AND m.Port = CAST(@Port AS integer) AND m.Generation = CAST(@Generation AS integer)
WHERE v.DeploymentId = CAST(@DeploymentId AS varchar);'),

('MembershipReadAllKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = CAST(@DeploymentId AS varchar);'),

('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = CAST(@DeploymentId AS varchar) AND Status = CAST(@Status AS integer) AND ProxyPort > 0;'),

('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = CAST(@DeploymentId AS varchar);
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = CAST(@DeploymentId AS varchar);'),

-- Removes rows of silos that are no longer active (3 = Active) and stopped reporting before the cut-off.
('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = CAST(@DeploymentId AS varchar)
  AND IAmAliveTime < CAST(@IAmAliveTime AS timestamptz)
  AND Status <> 3;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
