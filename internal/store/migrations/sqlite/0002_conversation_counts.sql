-- Maintained counts of conversations per (workspace, status, department,
-- assignee), kept by triggers in the same transaction as every change, so
-- the inbox badges are one small read however many conversations there
-- are (DESIGN §4). 0 stands for "no department" / "nobody". The shard
-- column matches PostgreSQL's schema, where counts are spread over shard
-- rows to avoid lock waits; SQLite has one writer and uses shard 0 only.
CREATE TABLE conversation_counts (
    workspace_id  INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    department_id INTEGER NOT NULL,
    assignee_id   INTEGER NOT NULL,
    shard         INTEGER NOT NULL DEFAULT 0,
    n             INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, status, department_id, assignee_id, shard)
) WITHOUT ROWID;

INSERT INTO conversation_counts (workspace_id, status, department_id, assignee_id, n)
SELECT workspace_id, status, COALESCE(department_id, 0), COALESCE(assignee_id, 0), count(*)
FROM conversations GROUP BY workspace_id, status, COALESCE(department_id, 0), COALESCE(assignee_id, 0);

CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_counts (workspace_id, status, department_id, assignee_id, n)
    VALUES (new.workspace_id, new.status, COALESCE(new.department_id, 0), COALESCE(new.assignee_id, 0), 1)
    ON CONFLICT (workspace_id, status, department_id, assignee_id, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER conversation_counts_update AFTER UPDATE OF status, department_id, assignee_id ON conversations
WHEN old.status IS NOT new.status OR old.department_id IS NOT new.department_id OR old.assignee_id IS NOT new.assignee_id BEGIN
    UPDATE conversation_counts SET n = n - 1
    WHERE workspace_id = old.workspace_id AND status = old.status
      AND department_id = COALESCE(old.department_id, 0) AND assignee_id = COALESCE(old.assignee_id, 0) AND shard = 0;
    INSERT INTO conversation_counts (workspace_id, status, department_id, assignee_id, n)
    VALUES (new.workspace_id, new.status, COALESCE(new.department_id, 0), COALESCE(new.assignee_id, 0), 1)
    ON CONFLICT (workspace_id, status, department_id, assignee_id, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN
    UPDATE conversation_counts SET n = n - 1
    WHERE workspace_id = old.workspace_id AND status = old.status
      AND department_id = COALESCE(old.department_id, 0) AND assignee_id = COALESCE(old.assignee_id, 0) AND shard = 0;
END;

-- the grouped count this replaces no longer needs its index
DROP INDEX conv_counts;
