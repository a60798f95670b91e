-- Steering (issue 7): meetings, the documents that assign tasks, the tasks, and the
-- notifications sent of them by e-mail or webhook. See crates/storage/src/{steering,
-- notifications}.rs and docs/adr/0014-steering-tasks.md.

-- Yearly numbers of meetings (HOP-2026-0001), documents (VB-…), tasks (NV-…),
-- subscriptions (DK-…) and notifications (TB-…), advanced in the transaction that uses one,
-- so they are unique and without gaps.
CREATE TABLE steering_sequences (
    series     TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);

-- Projection of `meeting` events; `state` holds the domain value as JSON.
CREATE TABLE meetings (
    id      TEXT    PRIMARY KEY,
    host    TEXT    NOT NULL,
    held_on DATE       NOT NULL,
    version BIGINT  NOT NULL,
    state   JSONB      NOT NULL
);

CREATE INDEX meetings_by_host ON meetings (host, held_on);

-- Projection of `steering_document` events: conclusions, plans, directives, decisions.
CREATE TABLE steering_documents (
    id             TEXT    PRIMARY KEY,
    owner          TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    signed_on      DATE       NOT NULL,
    meeting        TEXT,
    public_results BOOLEAN NOT NULL,
    version        BIGINT  NOT NULL,
    state          JSONB      NOT NULL
);

CREATE INDEX steering_documents_by_owner ON steering_documents (owner, signed_on);
CREATE INDEX steering_documents_by_meeting ON steering_documents (meeting);

-- Projection of `task` events: each task's current state, with the columns lists filter and
-- sort on.
CREATE TABLE tasks (
    id           TEXT    PRIMARY KEY,
    assigner     TEXT    NOT NULL,
    lead         TEXT    NOT NULL,
    parent       TEXT,
    plan         TEXT,
    source       TEXT,
    series       TEXT,
    priority     TEXT    NOT NULL,
    awaiting     TEXT    NOT NULL,
    assigned_at  TIMESTAMPTZ    NOT NULL,
    due          TIMESTAMPTZ    NOT NULL,
    completed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    version      BIGINT  NOT NULL,
    state        JSONB      NOT NULL
);

CREATE INDEX tasks_by_lead ON tasks (lead, due);
CREATE INDEX tasks_by_assigner ON tasks (assigner, due);
CREATE INDEX tasks_by_parent ON tasks (parent);
CREATE INDEX tasks_by_plan ON tasks (plan);
CREATE INDEX tasks_by_source ON tasks (source);
CREATE INDEX tasks_by_series ON tasks (series);
CREATE INDEX tasks_open_by_due ON tasks (due) WHERE completed_at IS NULL AND cancelled_at IS NULL;

-- Who stands where to a task: its assigner, lead and coordinators, and every agency above
-- one of them (`above`), who may read it. Parties never change after assignment, so these
-- rows are written once, with the task's first event.
CREATE TABLE task_parties (
    agency   TEXT NOT NULL,
    relation TEXT NOT NULL,
    task_id  TEXT NOT NULL,
    PRIMARY KEY (agency, relation, task_id)
);

CREATE INDEX task_parties_by_task ON task_parties (task_id);

-- Projection of `notification_subscription` events: where the operator sends an agency's
-- task news (every agency's when `agency` is NULL).
CREATE TABLE notification_subscriptions (
    id         TEXT    PRIMARY KEY,
    agency     TEXT,
    channel    TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    created_at TIMESTAMPTZ    NOT NULL,
    ended_at   TIMESTAMPTZ,
    version    BIGINT  NOT NULL,
    state      JSONB      NOT NULL
);

-- Projection of `notification` events: the outbox. A notification is queued with the change
-- it reports and delivered later; `dedupe_key` keeps one per task, news and subscription.
CREATE TABLE notifications (
    id              TEXT    PRIMARY KEY,
    dedupe_key      TEXT    NOT NULL UNIQUE,
    task_id         TEXT    NOT NULL,
    agency          TEXT    NOT NULL,
    subscription    TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    queued_at       TIMESTAMPTZ    NOT NULL,
    next_attempt_at TIMESTAMPTZ,
    attempts        INTEGER NOT NULL,
    version         BIGINT  NOT NULL,
    state           JSONB      NOT NULL
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_by_agency ON notifications (agency, queued_at);
CREATE INDEX notifications_by_task ON notifications (task_id, queued_at);
